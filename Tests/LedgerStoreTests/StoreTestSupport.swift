import Foundation
import LedgerMerkle
@testable import LedgerStore

/// A fresh temporary data directory, removed when the test's scope ends.
final class TempDir {
    let path: String

    init() {
        let template = NSTemporaryDirectory() + "ledger-store-test-XXXXXX"
        var bytes = Array(template.utf8CString)
        guard let made = mkdtemp(&bytes) else { fatalError("mkdtemp failed: \(errno)") }
        path = String(cString: made)
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

func openStore(_ dir: TempDir, mapBytes: Int = 1 << 20, indexes: [String] = []) throws -> EventStore {
    var options = StoreOptions(origin: "test.local/ledger")
    options.mapSizeInitialBytes = mapBytes
    options.indexNames = indexes
    return try EventStore(dataDirectory: dir.path, options: options)
}

func recordBytes(_ seq: UInt64, padding: Int = 0) -> [UInt8] {
    Array("{\"n\":\(seq),\"pad\":\"\(String(repeating: "x", count: padding))\"}".utf8)
}

/// Appends `count` records, `perBatch` per write, on streams s0...s3.
@discardableResult
func appendRecords(_ store: EventStore, count: Int, perBatch: Int = 100, padding: Int = 0) throws -> [TreeHash] {
    var leaves: [TreeHash] = []
    var remaining = count
    while remaining > 0 {
        let n = min(perBatch, remaining)
        leaves += try store.write { batch throws in
            var leaves: [TreeHash] = []
            for _ in 0..<n {
                let seq = batch.nextSeq
                let stream = "s\(seq % 4)"
                let version = try batch.view.streamVersion(stream) + 1
                leaves.append(try batch.append(NewRecord(
                    seq: seq, bytes: recordBytes(seq, padding: padding), stream: stream, streamVersion: version,
                    idempotencyKey: "k\(seq)", submissionDigest: [UInt8](repeating: UInt8(seq % 251), count: 32))))
            }
            return leaves
        }
        remaining -= n
    }
    return leaves
}

/// The RFC 9162 root computed naively (recursive MTH) from leaf hashes.
func naiveRoot(_ leaves: ArraySlice<TreeHash>) -> TreeHash {
    if leaves.isEmpty { return RFC9162.emptyRoot }
    if leaves.count == 1 { return leaves.first! }
    var k = 1
    while k * 2 < leaves.count { k *= 2 }
    let mid = leaves.startIndex + k
    return RFC9162.nodeHash(naiveRoot(leaves[leaves.startIndex..<mid]), naiveRoot(leaves[mid...]))
}
