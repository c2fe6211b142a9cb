/// Text forms of a value: the canonical one (for logs and tests) and an
/// indented one for people (the CLI).
extension JSONValue {
    /// The RFC 8785 canonical form as a `String`: see ``CanonicalJSON``,
    /// including its preconditions (finite doubles, integers within ±(2^53 − 1)).
    public var canonicalString: String {
        String(decoding: CanonicalJSON.encode(self), as: UTF8.self)
    }

    /// Indented JSON for humans: two spaces a level, `"name": value`, members
    /// sorted like the canonical form, strings escaped like the canonical form,
    /// empty containers as `[]` and `{}`, no trailing newline.
    ///
    /// Never traps: an integer beyond ±(2^53 − 1) is written with all its
    /// digits, and a NaN or infinite double as `null` (as JavaScript's
    /// `JSON.stringify` does). Not for hashing: use ``CanonicalJSON``.
    public func prettyPrinted() -> String {
        var output: [UInt8] = []
        output.reserveCapacity(256)
        appendPretty(to: &output, indent: 0)
        return String(decoding: output, as: UTF8.self)
    }

    private func appendPretty(to output: inout [UInt8], indent: Int) {
        switch self {
        case .null, .bool, .string:
            CanonicalJSON.encode(self, into: &output)
        case .int(let integer):
            output.append(contentsOf: String(integer).utf8)
        case .double(let number):
            if number.isFinite {
                CanonicalJSON.appendNumber(number, to: &output)
            } else {
                CanonicalJSON.appendASCII("null", to: &output)
            }
        case .array(let elements):
            guard !elements.isEmpty else { return CanonicalJSON.appendASCII("[]", to: &output) }
            output.append(UInt8(ascii: "["))
            for (position, element) in elements.enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                Self.appendNewline(to: &output, indent: indent + 1)
                element.appendPretty(to: &output, indent: indent + 1)
            }
            Self.appendNewline(to: &output, indent: indent)
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            guard !members.isEmpty else { return CanonicalJSON.appendASCII("{}", to: &output) }
            output.append(UInt8(ascii: "{"))
            for (position, member) in CanonicalJSON.sortedMembers(members).enumerated() {
                if position > 0 { output.append(UInt8(ascii: ",")) }
                Self.appendNewline(to: &output, indent: indent + 1)
                CanonicalJSON.appendString(member.key, to: &output)
                CanonicalJSON.appendASCII(": ", to: &output)
                member.value.appendPretty(to: &output, indent: indent + 1)
            }
            Self.appendNewline(to: &output, indent: indent)
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func appendNewline(to output: inout [UInt8], indent: Int) {
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * indent))
    }
}
