/// The parser's state over one document: a cursor on raw bytes.
///
/// Internal to ``JSONParser``. `bytes` is only valid during the parse call.
/// Every read is guarded by `index < count`; nothing reads past the end.
struct JSONReader {
    let bytes: UnsafePointer<UInt8>
    let count: Int
    let limits: JSONLimits
    let allowFloats: Bool
    var index = 0
    var depth = 0
    /// Reused buffer for strings with escapes.
    var scratch: [UInt8] = []
    /// Elements of the arrays being parsed, innermost last: each array is built
    /// at its exact size when it closes instead of growing while it is read.
    var elementStack: [JSONValue] = []
    /// Members of the objects being parsed, innermost last, with each name's
    /// offset for `duplicate-key`: each dictionary is created at its final
    /// capacity, so no key is hashed twice by a resize.
    var memberStack: [(key: String, value: JSONValue, keyOffset: Int)] = []

    init(bytes: UnsafePointer<UInt8>, count: Int, limits: JSONLimits, allowFloats: Bool) {
        self.bytes = bytes
        self.count = count
        self.limits = limits
        self.allowFloats = allowFloats
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue()
        skipWhitespace()
        guard index == count else {
            throw fail(.trailingData, at: index, "got \(describe(at: index)) after the value: want the end of the document")
        }
        assert(depth == 0, "container depth must be back at zero after the document")
        return value
    }

    @inline(__always)
    mutating func skipWhitespace() {
        while index < count {
            switch bytes[index] {
            case 0x20, 0x0A, 0x0D, 0x09: index += 1
            default: return
            }
        }
    }

    mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard index < count else { throw endOfDocument(want: "a value") }
        switch bytes[index] {
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        case UInt8(ascii: "t"):
            try expectLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try expectLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try expectLiteral("null")
            return .null
        default:
            throw unexpected(want: "a value (object, array, string, number, true, false or null)")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let start = index
        for offset in 0..<literal.utf8CodeUnitCount {
            let want = literal.utf8Start[offset]
            guard index < count else { throw endOfDocument(want: "'\(literal)'") }
            guard bytes[index] == want else {
                throw fail(
                    .unexpectedCharacter, at: index,
                    "got \(describe(at: index)) at byte \(index) in a literal starting at byte \(start): want '\(literal)'")
            }
            index += 1
        }
    }

    private mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        guard depth <= limits.depthMax else {
            throw fail(.tooDeep, at: index, "nesting depth \(depth) at byte \(index): at most \(limits.depthMax) is allowed")
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        index += 1  // "["
        skipWhitespace()
        if index < count && bytes[index] == UInt8(ascii: "]") {
            index += 1
            depth -= 1
            return .array([])
        }
        let base = elementStack.count
        while true {
            guard elementStack.count - base < limits.arrayCountMax else {
                throw fail(
                    .arrayTooLong, at: index,
                    "array element \(elementStack.count - base + 1) at byte \(index): at most \(limits.arrayCountMax) are allowed")
            }
            elementStack.append(try parseValue())
            skipWhitespace()
            guard index < count else { throw endOfDocument(want: "',' or ']'") }
            let byte = bytes[index]
            if byte == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
            } else if byte == UInt8(ascii: "]") {
                index += 1
                depth -= 1
                let elements = Array(elementStack[base...])
                elementStack.removeSubrange(base...)
                return .array(elements)
            } else {
                throw unexpected(want: "',' or ']' in an array")
            }
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enterContainer()
        index += 1  // "{"
        skipWhitespace()
        if index < count && bytes[index] == UInt8(ascii: "}") {
            index += 1
            depth -= 1
            return .object([:])
        }
        let base = memberStack.count
        while true {
            guard index < count else { throw endOfDocument(want: "a member name") }
            guard bytes[index] == UInt8(ascii: "\"") else { throw unexpected(want: "a member name in double quotes") }
            let keyOffset = index
            guard memberStack.count - base < limits.objectMemberCountMax else {
                throw fail(
                    .objectTooLarge, at: keyOffset,
                    "object member \(memberStack.count - base + 1) at byte \(keyOffset): at most \(limits.objectMemberCountMax) are allowed"
                )
            }
            let key = try parseString()
            skipWhitespace()
            guard index < count else { throw endOfDocument(want: "':'") }
            guard bytes[index] == UInt8(ascii: ":") else { throw unexpected(want: "':' after a member name") }
            index += 1
            skipWhitespace()
            memberStack.append((key, try parseValue(), keyOffset))
            skipWhitespace()
            guard index < count else { throw endOfDocument(want: "',' or '}'") }
            let byte = bytes[index]
            if byte == UInt8(ascii: ",") {
                index += 1
                skipWhitespace()
            } else if byte == UInt8(ascii: "}") {
                index += 1
                depth -= 1
                return .object(try closeObject(base: base))
            } else {
                throw unexpected(want: "',' or '}' in an object")
            }
        }
    }

    /// Moves the members from `base` on into a dictionary of their exact size.
    /// Duplicate names are found here, when the object closes.
    private mutating func closeObject(base: Int) throws(JSONParseError) -> [String: JSONValue] {
        var members = [String: JSONValue](minimumCapacity: memberStack.count - base)
        for position in base..<memberStack.count {
            let member = memberStack[position]
            guard members.updateValue(member.value, forKey: member.key) == nil else {
                throw fail(
                    .duplicateKey, at: member.keyOffset,
                    "member name \"\(member.key)\" at byte \(member.keyOffset) appears twice (or as a canonically equivalent form): want each name once (I-JSON)"
                )
            }
        }
        memberStack.removeSubrange(base...)
        return members
    }
}

// MARK: - Errors

extension JSONReader {
    func fail(_ code: JSONParseError.Code, at offset: Int, _ message: String) -> JSONParseError {
        JSONParseError(code: code, byteOffset: offset, message: message)
    }

    func endOfDocument(want: String) -> JSONParseError {
        fail(.unexpectedEnd, at: count, "document ends at byte \(count): want \(want)")
    }

    /// The byte at `index` cannot start what is wanted here.
    func unexpected(want: String) -> JSONParseError {
        guard index < count else { return endOfDocument(want: want) }
        return fail(.unexpectedCharacter, at: index, "got \(describe(at: index)) at byte \(index): want \(want)")
    }

    /// A byte for a human: `'x'` for printable ASCII, `byte 0xNN` otherwise.
    func describe(at offset: Int) -> String {
        let byte = bytes[offset]
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        let hex = String(byte, radix: 16, uppercase: true)
        return "byte 0x\(byte < 0x10 ? "0" : "")\(hex)"
    }
}
