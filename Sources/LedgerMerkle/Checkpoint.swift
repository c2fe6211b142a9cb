/// A C2SP tlog-checkpoint body: the origin, the tree size and the root hash, then optional
/// extension lines. It is signed as the text of a `SignedNote`.
///
///     ledger.example/audit
///     20852163
///     CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=
public struct Checkpoint: Sendable, Equatable {
    /// Identifies the log. Non-empty, no control characters; by convention it equals the signing
    /// key's name.
    public var origin: String
    /// The number of leaves.
    public var size: UInt64
    /// The RFC 9162 root of the first `size` leaves.
    public var rootHash: TreeHash
    /// Opaque lines after the root, each non-empty, without control characters.
    public var extensionLines: [String]

    public init(origin: String, size: UInt64, rootHash: TreeHash, extensionLines: [String] = []) {
        self.origin = origin
        self.size = size
        self.rootHash = rootHash
        self.extensionLines = extensionLines
    }

    /// "origin\nsize\nbase64(root)\n", then each extension line and "\n".
    ///
    /// Precondition for a body that `parse` accepts back: `validate()` passes.
    public var body: String {
        var text = "\(origin)\n\(size)\n\(rootHash.base64)\n"
        for line in extensionLines { text += line + "\n" }
        return text
    }

    /// Checks that `body` is a well-formed checkpoint that parses back to `self`.
    /// - Throws: `CheckpointError.malformedCheckpoint` naming the bad field (remedy: an origin
    ///   and extension lines that are non-empty, single-line and free of control characters).
    public func validate() throws(CheckpointError) {
        let parsed = try Checkpoint.parse(body: body)
        guard parsed == self else {
            throw CheckpointError(.malformedCheckpoint, "checkpoint fields do not survive formatting")
        }
    }

    /// Parses a checkpoint body strictly: at least three lines, each ending in "\n"; a non-empty
    /// origin; the size in decimal digits with no sign and no leading zero (except "0") that fits
    /// in 64 bits; the root as canonical padded base64 of exactly 32 bytes; extension lines
    /// non-empty; no control characters anywhere but the line ends.
    /// - Throws: `CheckpointError.malformedCheckpoint` saying which line is wrong and why.
    public static func parse(body: String) throws(CheckpointError) -> Checkpoint {
        guard body.hasSuffix("\n") else {
            throw CheckpointError(.malformedCheckpoint, "a checkpoint body ends with a newline, got none")
        }
        if let bad = body.unicodeScalars.first(where: { $0.value < 0x20 && $0 != "\n" }) {
            throw CheckpointError(
                .malformedCheckpoint, "a checkpoint holds no control characters, got U+\(hex4(bad.value))")
        }
        let lines = body.dropLast().split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard lines.count >= 3 else {
            throw CheckpointError(
                .malformedCheckpoint, "a checkpoint has at least 3 lines (origin, size, root), got \(lines.count)")
        }
        if let empty = lines.firstIndex(of: "") {
            throw CheckpointError(.malformedCheckpoint, "checkpoint line \(empty + 1) is empty; no line may be")
        }
        guard let size = parseSize(lines[1]) else {
            throw CheckpointError(
                .malformedCheckpoint,
                "checkpoint size is decimal digits without sign or leading zero, below 2^64; got \"\(lines[1])\"")
        }
        guard let root = TreeHash(base64: lines[2]) else {
            throw CheckpointError(
                .malformedCheckpoint, "checkpoint root is canonical base64 of 32 bytes, got \"\(lines[2])\"")
        }
        return Checkpoint(origin: lines[0], size: size, rootHash: root, extensionLines: Array(lines[3...]))
    }

    private static func parseSize(_ text: String) -> UInt64? {
        let digits = Array(text.utf8)
        guard !digits.isEmpty, digits.count <= 20, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        guard digits[0] != 0x30 || digits.count == 1 else { return nil }
        var value: UInt64 = 0
        for digit in digits {
            let (times10, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times10.addingReportingOverflow(UInt64(digit - 0x30))
            guard !o1, !o2 else { return nil }
            value = sum
        }
        return value
    }
}

func hex4(_ value: UInt32) -> String {
    let digits = String(value, radix: 16, uppercase: true)
    return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
}
