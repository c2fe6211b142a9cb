import Foundation
import Testing
import Crypto
@testable import LedgerMerkle

/// A naive RFC 9162 §2.1 implementation straight from the RFC text, independent of the module's
/// code paths (its own SHA-256 calls, its own recursion over leaf arrays), used to cross-check.
enum Reference {
    static func sha256(_ bytes: [UInt8]) -> [UInt8] { Array(SHA256.hash(data: bytes)) }
    static func leaf(_ data: [UInt8]) -> [UInt8] { sha256([0x00] + data) }
    static func node(_ left: [UInt8], _ right: [UInt8]) -> [UInt8] { sha256([0x01] + left + right) }

    /// The largest power of two smaller than n (n > 1), by doubling.
    static func k(_ n: Int) -> Int {
        var k = 1
        while k * 2 < n { k *= 2 }
        return k
    }

    /// MTH(D[n]) over leaf inputs.
    static func mth(_ d: ArraySlice<[UInt8]>) -> [UInt8] {
        if d.isEmpty { return sha256([]) }
        if d.count == 1 { return leaf(d[d.startIndex]) }
        let split = d.startIndex + k(d.count)
        return node(mth(d[..<split]), mth(d[split...]))
    }

    /// PATH(m, D[n]).
    static func path(_ m: Int, _ d: ArraySlice<[UInt8]>) -> [[UInt8]] {
        if d.count <= 1 { return [] }
        let kk = k(d.count)
        let split = d.startIndex + kk
        if m < kk { return path(m, d[..<split]) + [mth(d[split...])] }
        return path(m - kk, d[split...]) + [mth(d[..<split])]
    }

    /// SUBPROOF(m, D[n], b).
    static func subproof(_ m: Int, _ d: ArraySlice<[UInt8]>, _ b: Bool) -> [[UInt8]] {
        if m == d.count { return b ? [] : [mth(d)] }
        let kk = k(d.count)
        let split = d.startIndex + kk
        if m <= kk { return subproof(m, d[..<split], b) + [mth(d[split...])] }
        return subproof(m - kk, d[split...], false) + [mth(d[..<split])]
    }

    /// PROOF(m, D[n]).
    static func proof(_ m: Int, _ d: ArraySlice<[UInt8]>) -> [[UInt8]] {
        m == d.count ? [] : subproof(m, d, true)
    }

    /// RFC 9162 §2.1.3.2, step by step.
    static func verifyInclusion(index: UInt64, size: UInt64, hash: [UInt8], path: [[UInt8]], root: [UInt8]) -> Bool {
        if index >= size { return false }
        var fn = index
        var sn = size - 1
        var r = hash
        for p in path {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                r = node(p, r)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                r = node(r, p)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && r == root
    }

    /// RFC 9162 §2.1.4.2, step by step (requires 0 < first < second).
    static func verifyConsistency(first: UInt64, second: UInt64, firstHash: [UInt8], secondHash: [UInt8], path: [[UInt8]]) -> Bool {
        if first == 0 || first >= second { return false }
        if path.isEmpty { return false }
        var path = path
        if first & (first - 1) == 0 { path.insert(firstHash, at: 0) }
        var fn = first - 1
        var sn = second - 1
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        var fr = path[0]
        var sr = path[0]
        for c in path.dropFirst() {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                fr = node(c, fr)
                sr = node(c, sr)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                sr = node(sr, c)
            }
            fn >>= 1
            sn >>= 1
        }
        return fr == firstHash && sr == secondHash && sn == 0
    }
}

/// Test data shared by the suites.
enum Fixtures {
    /// The 8 classic RFC 6962 test inputs (transparency-dev/merkle testonly.LeafInputs).
    static let classicLeaves: [[UInt8]] = [
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
    ].map { hexBytes($0) }

    /// Roots for sizes 0...8 of the classic leaves (transparency-dev/merkle testonly.RootHashes).
    static let classicRoots: [String] = [
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]

    /// Leaf i = the single byte i (the leaves of generate.py's "byte-index" trees).
    static func byteLeaves(_ count: Int) -> [[UInt8]] { (0..<count).map { [UInt8(truncatingIfNeeded: $0)] } }

    static func store(_ leaves: [[UInt8]]) -> InMemoryNodeStore {
        InMemoryNodeStore(leafHashes: leaves.map { RFC9162.leafHash($0) })
    }
}

func hexBytes(_ text: String) -> [UInt8] {
    var out: [UInt8] = []
    var chars = Array(text.utf8)[...]
    while chars.count >= 2 {
        out.append(UInt8(String(decoding: chars.prefix(2), as: UTF8.self), radix: 16)!)
        chars = chars.dropFirst(2)
    }
    return out
}

func th(_ hex: String) -> TreeHash { TreeHash(hex: hex)! }

/// The data files in Vectors/ (written by Vectors/generate.py).
enum VectorFile {
    static func load<T: Decodable>(_ type: T.Type, _ name: String) throws -> T {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Vectors"))
        return try JSONDecoder().decode(type, from: Data(contentsOf: url))
    }
}
