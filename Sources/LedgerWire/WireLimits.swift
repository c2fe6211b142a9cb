/// Bounds on what one protocol line may hold. Every limit is checked before
/// the work it bounds, so a hostile client costs at most these amounts.
public struct WireLimits: Sendable, Hashable {
    /// The longest request line in bytes, newline excluded. A longer line is
    /// answered with `line-too-long` and skipped up to the next newline.
    public var lineBytesMax: Int
    /// The deepest nesting of arrays and objects in one line (`too-deep`).
    /// The ledger's own documents nest about five levels; 64 leaves room.
    public var depthMax: Int
    /// The longest string `id`, in UTF-8 bytes.
    public var idBytesMax: Int
    /// The longest `verb`, in UTF-8 bytes.
    public var verbBytesMax: Int

    public init(lineBytesMax: Int = 1 << 20, depthMax: Int = 64, idBytesMax: Int = 256, verbBytesMax: Int = 64) {
        precondition(lineBytesMax > 0 && depthMax > 0 && idBytesMax > 0 && verbBytesMax > 0, "limits must be positive")
        self.lineBytesMax = lineBytesMax
        self.depthMax = depthMax
        self.idBytesMax = idBytesMax
        self.verbBytesMax = verbBytesMax
    }

    /// The limits a client uses for responses: results (a report, a long
    /// export item) may be much larger than any request.
    public static let responses = WireLimits(lineBytesMax: 64 << 20, depthMax: 128)
}
