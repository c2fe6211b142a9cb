/// Bounds on a JSON document the parser accepts ("put a limit on everything").
///
/// Every limit is inclusive: a document exactly at a limit parses, one past it
/// is refused with the matching ``JSONParseError/Code`` (named beside each field).
/// The defaults suit a ledger event (about 600 bytes) with a wide margin; raise
/// a limit only where the caller has its own, tighter bound on the input.
public struct JSONLimits: Sendable, Hashable {
    /// Deepest nesting of arrays and objects; a top-level array or object is
    /// depth 1, a scalar document depth 0. Past it: `too-deep`.
    public var depthMax: Int
    /// Longest string (object keys included), counted in UTF-8 bytes after
    /// escapes are decoded. Past it: `string-too-long`.
    public var stringBytesMax: Int
    /// Most elements in one array. Past it: `array-too-long`.
    public var arrayCountMax: Int
    /// Most members in one object. Past it: `object-too-large`.
    public var objectMemberCountMax: Int
    /// Longest document in bytes, whitespace included. Past it: `document-too-large`
    /// (checked before any parsing, so an oversized input costs nothing).
    public var documentBytesMax: Int

    /// - Precondition: every limit is positive.
    public init(
        depthMax: Int = 32,
        stringBytesMax: Int = 64 * 1024,
        arrayCountMax: Int = 10_000,
        objectMemberCountMax: Int = 1_000,
        documentBytesMax: Int = 1024 * 1024
    ) {
        precondition(depthMax > 0, "JSONLimits.depthMax must be positive, got \(depthMax)")
        precondition(stringBytesMax > 0, "JSONLimits.stringBytesMax must be positive, got \(stringBytesMax)")
        precondition(arrayCountMax > 0, "JSONLimits.arrayCountMax must be positive, got \(arrayCountMax)")
        precondition(
            objectMemberCountMax > 0, "JSONLimits.objectMemberCountMax must be positive, got \(objectMemberCountMax)")
        precondition(documentBytesMax > 0, "JSONLimits.documentBytesMax must be positive, got \(documentBytesMax)")
        self.depthMax = depthMax
        self.stringBytesMax = stringBytesMax
        self.arrayCountMax = arrayCountMax
        self.objectMemberCountMax = objectMemberCountMax
        self.documentBytesMax = documentBytesMax
    }

    /// depth 32, strings 64 KiB, arrays 10 000 elements, objects 1 000 members, documents 1 MiB.
    public static let `default` = JSONLimits()
}
