/// Writes one RFC 8785 object member by member, for records whose keys are
/// known in advance: no `JSONValue` tree, no dictionary, no sorting.
///
/// The caller gives members in canonical order (sorted by the UTF-16 code
/// units of their names); each value is a string, an integer or bytes that are
/// already canonical JSON. Out-of-order or repeated names trap, in release
/// builds too: a wrong order would change every hash after it.
///
/// ```swift
/// var w = CanonicalObjectWriter(capacity: 64)
/// w.integer("seq", 7)
/// w.string("type", "MeetingHeld")
/// let bytes = w.finish()   // {"seq":7,"type":"MeetingHeld"}
/// ```
public struct CanonicalObjectWriter {
    private var output: [UInt8]
    private var previousName: StaticString?

    public init(capacity: Int) {
        output = []
        output.reserveCapacity(capacity)
        output.append(UInt8(ascii: "{"))
    }

    public mutating func string(_ name: StaticString, _ value: String) {
        open(name)
        CanonicalJSON.appendString(value, to: &output)
    }

    /// - Precondition: within ±(2^53 − 1), as for ``CanonicalJSON``.
    public mutating func integer(_ name: StaticString, _ value: Int64) {
        open(name)
        CanonicalJSON.appendInteger(value, to: &output)
    }

    /// A value given as canonical bytes (from ``CanonicalJSON/encode(_:)`` or
    /// another writer's ``finish()``); copied as is.
    public mutating func canonical(_ name: StaticString, _ bytes: [UInt8]) {
        open(name)
        output.append(contentsOf: bytes)
    }

    /// A value encoded canonically on the way in.
    public mutating func value(_ name: StaticString, _ value: JSONValue) {
        open(name)
        CanonicalJSON.encode(value, into: &output)
    }

    /// The object's bytes; the writer is not used after this.
    public mutating func finish() -> [UInt8] {
        output.append(UInt8(ascii: "}"))
        return output
    }

    private mutating func open(_ name: StaticString) {
        let bytes = UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount)
        if let previous = previousName {
            let before = UnsafeBufferPointer(start: previous.utf8Start, count: previous.utf8CodeUnitCount)
            precondition(
                CanonicalJSON.utf16Precedes(before, bytes),
                "CanonicalObjectWriter: member '\(name)' after '\(previous)' breaks RFC 8785 order")
            output.append(UInt8(ascii: ","))
        }
        precondition(
            bytes.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\"") && $0 != UInt8(ascii: "\\") },
            "CanonicalObjectWriter: member names are printable ASCII without quotes or backslashes")
        previousName = name
        output.append(UInt8(ascii: "\""))
        output.append(contentsOf: bytes)  // checked above: nothing to escape
        output.append(UInt8(ascii: "\""))
        output.append(UInt8(ascii: ":"))
    }
}
