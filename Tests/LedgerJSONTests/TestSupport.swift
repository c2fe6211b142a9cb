import Foundation
import LedgerJSON

/// Reads test vectors shipped as resources under `Vectors/`.
enum Vectors {
    static func url(_ relativePath: String) -> URL {
        guard let root = Bundle.module.url(forResource: "Vectors", withExtension: nil) else {
            fatalError("the Vectors resource directory is missing from the test bundle")
        }
        return root.appendingPathComponent(relativePath)
    }

    static func bytes(_ relativePath: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: url(relativePath)))
    }

    /// Non-empty lines split on LF, comments (`#`) skipped.
    static func lines(_ relativePath: String) throws -> [String] {
        String(decoding: try bytes(relativePath), as: UTF8.self)
            .split(separator: "\n", omittingEmptySubsequences: true)
            .map(String.init)
            .filter { !$0.hasPrefix("#") }
    }

    /// `hex expected` lines: a double's IEEE-754 bits and its canonical form.
    static func numberTable(_ relativePath: String) throws -> [(bits: UInt64, expected: String)] {
        try lines(relativePath).map { line in
            let fields = line.split(separator: " ")
            precondition(fields.count == 2, "bad number vector line: \(line)")
            return (UInt64(fields[0], radix: 16)!, String(fields[1]))
        }
    }
}

extension Array where Element == UInt8 {
    var text: String { String(decoding: self, as: UTF8.self) }
}

/// A small deterministic generator (SplitMix64) for property-style tests.
struct SplitMix64 {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
