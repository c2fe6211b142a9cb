/// A SHA-256 tree hash: a leaf hash, an interior node hash or a root. Always exactly 32 bytes.
public struct TreeHash: Hashable, Sendable, CustomStringConvertible {
    /// The number of bytes in every tree hash.
    public static let byteCount = 32

    /// The 32 hash bytes.
    public let bytes: [UInt8]

    /// Wraps 32 hash bytes.
    /// - Throws: `MerkleError.wrongLength` if `bytes` is not 32 bytes long (remedy: pass a SHA-256 output).
    public init(_ bytes: [UInt8]) throws(MerkleError) {
        guard bytes.count == Self.byteCount else {
            throw MerkleError(.wrongLength, "a tree hash is \(Self.byteCount) bytes, got \(bytes.count)")
        }
        self.bytes = bytes
    }

    /// For hashes this module computed itself. Precondition: 32 bytes.
    init(unchecked bytes: [UInt8]) {
        precondition(bytes.count == Self.byteCount, "tree hash must be 32 bytes")
        self.bytes = bytes
    }

    /// Parses 64 hexadecimal digits (either case); nil for any other input.
    public init?(hex: String) {
        guard let decoded = Hex.decode(hex), decoded.count == Self.byteCount else { return nil }
        self.bytes = decoded
    }

    /// 64 lowercase hexadecimal digits.
    public var hex: String { Hex.encode(bytes) }

    /// Parses canonical standard base64 (RFC 4648 §4, padded) of exactly 32 bytes; nil otherwise.
    public init?(base64: String) {
        guard let decoded = Base64.decode(base64), decoded.count == Self.byteCount else { return nil }
        self.bytes = decoded
    }

    /// Standard padded base64 (44 characters), as in checkpoints.
    public var base64: String { Base64.encode(bytes) }

    public var description: String { hex }
}
