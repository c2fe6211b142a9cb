/// An error from the Merkle tree math: a malformed hash, an impossible index or size, or a proof
/// that does not prove what it claims.
///
/// `code` is stable (scripts and other modules match on it); `message` names the value got and the
/// value wanted, and says what to check.
public struct MerkleError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Stable error codes. Raw values are never changed or reused.
    public enum Code: String, Sendable, Equatable, CaseIterable {
        /// A hash was not exactly 32 bytes.
        case wrongLength = "wrong-length"
        /// A leaf index is not below the tree size, or a node lies outside the stored tree.
        case indexOutOfRange = "index-out-of-range"
        /// A proof has more or fewer hashes than the sizes require.
        case wrongProofSize = "wrong-proof-size"
        /// A proof is well formed but leads to a different root: the data, index, sizes or root disagree.
        case rootMismatch = "root-mismatch"
        /// Tree sizes that cannot go together (old size above new size, consistency from zero with a proof, ...).
        case badSizes = "bad-sizes"
        /// Serialized bytes that do not decode.
        case malformed = "malformed"
    }

    public let code: Code
    public let message: String

    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    public var description: String { "\(code.rawValue): \(message)" }
}
