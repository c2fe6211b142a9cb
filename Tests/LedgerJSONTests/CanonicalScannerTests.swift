import LedgerJSON
import Testing

/// The scanner is a fast path for "these bytes are canonical already": where it
/// says yes it must be right, and it must say yes to everything the ledger writes.
@Suite struct CanonicalScannerTests {
    @Test(arguments: [11, 12, 13, 14, 15])
    func acceptsTheCanonicalFormOfEveryEligibleObject(seed: UInt64) throws {
        var generator = ValueGenerator(random: SplitMix64(state: seed))
        var accepted = 0
        for _ in 0..<400 {
            var members: [String: JSONValue] = [:]
            for k in 0..<generator.random.below(8) {
                members["k\(k)_\(generator.random.below(50))"] = generator.value(depth: 1)
            }
            let value = JSONValue.object(members)
            let bytes = CanonicalJSON.encode(value)
            let found = CanonicalScanner.topLevelMembers(bytes)
            if Self.isEligible(value) {
                #expect(found != nil, "declined canonical bytes: \(bytes.text)")
            }
            guard let found else { continue }
            accepted += 1
            // Where it says yes, the bytes are exactly what re-encoding gives.
            #expect(CanonicalJSON.encode(try JSONParser.parse(bytes, allowFloats: true)) == bytes)
            // And the members are where it says, in canonical order.
            #expect(found.map { Array(bytes[$0.key]).text } == members.keys.sorted())
            for member in found {
                let key = Array(bytes[member.key]).text
                #expect(Array(bytes[member.value]) == CanonicalJSON.encode(members[key]!))
            }
        }
        #expect(accepted > 100)
    }

    /// What the scanner promises to accept: no fractions, integers of at most
    /// 15 digits, keys of printable ASCII without escapes.
    static func isEligible(_ value: JSONValue) -> Bool {
        switch value {
        case .double: return false
        case .int(let n): return n.magnitude < 1_000_000_000_000_000
        case .null, .bool, .string: return true
        case .array(let items): return items.allSatisfy(isEligible)
        case .object(let members):
            return members.allSatisfy { key, value in
                key.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != UInt8(ascii: "\\") } && isEligible(value)
            }
        }
    }

    @Test func acceptsEscapesExactlyAsRFC8785WritesThem() {
        let text = "{\"a\":\"\\\"\\\\\\b\\f\\n\\r\\t\\u0000\\u001f/é😀\"}"
        #expect(CanonicalScanner.topLevelMembers(Array(text.utf8)) != nil)
        #expect(CanonicalJSON.encode(try! JSONParser.parse(Array(text.utf8))) == Array(text.utf8))
    }

    @Test(arguments: [
        " {\"a\":1}", "{\"a\":1} ", "{\"a\": 1}", "{ \"a\":1}", "{\"a\":1,\"b\":2 }",  // whitespace
        "{\"b\":1,\"a\":2}", "{\"a\":1,\"a\":2}",  // order, duplicates
        "{\"a\":\"\\/\"}", "{\"a\":\"\\u0041\"}", "{\"a\":\"\\u001F\"}", "{\"a\":\"\\u000a\"}",  // escapes
        "{\"a\":\"\u{01}\"}", "{\"\\u0061\":1}", "{\"é\":1}",  // raw control, escaped or non-ASCII key
        "{\"a\":-0}", "{\"a\":01}", "{\"a\":1.5}", "{\"a\":1e3}", "{\"a\":1000000000000000}", "{\"a\":+1}",  // numbers
        "{\"a\":tru}", "{\"a\":nul}", "{\"a\":[1,]}", "{\"a\":}", "{\"a\"1}", "{\"a\":1", "[1]", "\"a\"", "",
    ])
    func declinesWhatIsNotProvablyCanonical(text: String) {
        #expect(CanonicalScanner.topLevelMembers(Array(text.utf8)) == nil, "accepted \(text)")
    }

    @Test(arguments: [
        [0xC0, 0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xE2, 0x82], [0xFF], [0x80], [0xF0, 0x80, 0x80, 0x80],
    ] as [[UInt8]])
    func declinesMalformedUTF8(sequence: [UInt8]) {
        let bytes = Array("{\"a\":\"x".utf8) + sequence + Array("y\"}".utf8)
        #expect(CanonicalScanner.topLevelMembers(bytes) == nil)
    }

    @Test func theParsersLimitsApply() {
        let deep = "{\"a\":" + String(repeating: "[", count: 10) + String(repeating: "]", count: 10) + "}"
        #expect(CanonicalScanner.topLevelMembers(Array(deep.utf8), limits: JSONLimits(depthMax: 11)) != nil)
        #expect(CanonicalScanner.topLevelMembers(Array(deep.utf8), limits: JSONLimits(depthMax: 10)) == nil)
        // The defaults are the parser's: 32 deep parses, 33 does not, in both.
        for depth in [31, 32] {
            let text = "{\"a\":" + String(repeating: "[", count: depth) + String(repeating: "]", count: depth) + "}"
            let parses = (try? JSONParser.parse(Array(text.utf8))) != nil
            #expect((CanonicalScanner.topLevelMembers(Array(text.utf8)) != nil) == parses, "depth \(depth + 1)")
        }
        let small = JSONLimits(stringBytesMax: 4, arrayCountMax: 2, objectMemberCountMax: 2, documentBytesMax: 40)
        #expect(CanonicalScanner.topLevelMembers(Array("{\"a\":\"abcd\"}".utf8), limits: small) != nil)
        #expect(CanonicalScanner.topLevelMembers(Array("{\"a\":\"abcde\"}".utf8), limits: small) == nil)
        #expect(CanonicalScanner.topLevelMembers(Array("{\"abcde\":1}".utf8), limits: small) == nil)
        #expect(CanonicalScanner.topLevelMembers(Array("{\"a\":[1,2]}".utf8), limits: small) != nil)
        #expect(CanonicalScanner.topLevelMembers(Array("{\"a\":[1,2,3]}".utf8), limits: small) == nil)
        #expect(CanonicalScanner.topLevelMembers(Array("{\"a\":1,\"b\":2,\"c\":3}".utf8), limits: small) == nil)
        #expect(CanonicalScanner.topLevelMembers(Array("{\"a\":\"\(String(repeating: "x", count: 40))\"}".utf8), limits: small) == nil)
    }

    /// Noncharacters are well-formed UTF-8 that the parser refuses (I-JSON):
    /// the scanner must not vouch for them either.
    @Test(arguments: [[0xEF, 0xBF, 0xBF], [0xEF, 0xBF, 0xBE], [0xEF, 0xB7, 0x90], [0xEF, 0xB7, 0xAF], [0xF0, 0x9F, 0xBF, 0xBE],
                      [0xF4, 0x8F, 0xBF, 0xBF]] as [[UInt8]])
    func declinesNoncharactersLikeTheParser(sequence: [UInt8]) {
        let bytes = Array("{\"a\":\"x".utf8) + sequence + Array("\"}".utf8)
        #expect(CanonicalScanner.topLevelMembers(bytes) == nil)
        #expect((try? JSONParser.parse(bytes)) == nil)
    }

    /// Strings and keys are read eight bytes at a time and then jump to the
    /// first byte that is not plain ASCII. Put each kind of such byte at every
    /// offset of the first two words: the scanner must agree with the parser
    /// and the encoder (accept exactly when the bytes are canonical) whatever
    /// the byte's place in its word.
    @Test func everyKindOfByteAtEveryOffsetInStringsAndKeys() {
        let kinds: [[UInt8]] = [
            Array("\\n".utf8), Array("\\\"".utf8), Array("\\\\".utf8), Array("\\u0001".utf8),  // canonical escapes
            Array("\\/".utf8), Array("\\u0041".utf8), [0x01], [0x1F], [0x22],  // not canonical, or not JSON
            [0x7F], Array("é".utf8), Array("ự".utf8), Array("😀".utf8), Array("\u{07FF}".utf8), Array("\u{D7FF}".utf8),
            [0xEF, 0xB7, 0x90], [0xC3], [0xE1, 0xBB], [0xED, 0xA0, 0x80], [0xC3, 0x28],  // nonchar, cut, surrogate, bad
        ]
        for kind in kinds {
            for offset in 0..<18 {
                let text = Array(repeating: UInt8(ascii: "a"), count: offset) + kind + Array("bcdefghijk".utf8)
                let inValue = Array("{\"k\":\"".utf8) + text + Array("\",\"z\":1}".utf8)
                let canonical = (try? JSONParser.parse(inValue)).map { CanonicalJSON.encode($0) == inValue } ?? false
                #expect((CanonicalScanner.topLevelMembers(inValue) != nil) == canonical,
                        "value with \(kind) at \(offset): scanner and encoder disagree")
                // Keys: printable ASCII without escapes only (others go the general way).
                let inKey = Array("{\"".utf8) + text + Array("\":1}".utf8)
                let plain = text.allSatisfy { $0 >= 0x20 && $0 < 0x7F && $0 != 0x22 && $0 != 0x5C }
                #expect((CanonicalScanner.topLevelMembers(inKey) != nil) == plain, "key with \(kind) at \(offset)")
            }
        }
    }

    @Test func theReusingFormAgreesAndKeepsNoStaleMembers() {
        var members: [CanonicalScanner.Member] = []
        let first = Array("{\"a\":1,\"b\":[2],\"c\":\"x\"}".utf8)
        #expect(first.withUnsafeBytes { CanonicalScanner.topLevelMembers($0, into: &members) })
        #expect(members == CanonicalScanner.topLevelMembers(first))
        let second = Array("{\"z\":true}".utf8)
        #expect(second.withUnsafeBytes { CanonicalScanner.topLevelMembers($0, into: &members) })
        #expect(members.count == 1)
        #expect(!Array("{\"b\":1,\"a\":2}".utf8).withUnsafeBytes { CanonicalScanner.topLevelMembers($0, into: &members) })
    }

    /// Differential fuzz: canonical documents with one to three bytes changed
    /// (to anything, or to printable ASCII). Whenever the scanner vouches for the result, the parser
    /// must accept it and re-encoding must give the very same bytes; and the
    /// members it reports must be the parsed object's keys.
    @Test func whatItAcceptsAfterRandomChangesIsCanonical() throws {
        var generator = ValueGenerator(random: SplitMix64(state: 77))
        var accepted = 0
        for round in 0..<20_000 {
            var members: [String: JSONValue] = [:]
            for k in 0..<(1 + generator.random.below(6)) {
                members["k\(k)_\(generator.random.below(40))"] = generator.value(depth: 1)
            }
            var bytes = CanonicalJSON.encode(.object(members))
            for change in 0...(round % 3) {
                // Any byte, or (more often accepted, so more often checked) a printable one.
                let byte = (round + change) % 2 == 0
                    ? UInt8(truncatingIfNeeded: generator.random.next()) : UInt8(0x20 + generator.random.below(0x5F))
                bytes[generator.random.below(bytes.count)] = byte
            }
            guard let found = CanonicalScanner.topLevelMembers(bytes) else { continue }
            accepted += 1
            let parsed = try JSONParser.parse(bytes, allowFloats: true)
            #expect(CanonicalJSON.encode(parsed) == bytes, "accepted non-canonical \(bytes.text)")
            guard case .object(let object) = parsed else {
                Issue.record("accepted a non-object: \(bytes.text)")
                continue
            }
            #expect(found.map { Array(bytes[$0.key]).text } == object.keys.sorted())
        }
        #expect(accepted > 200)
    }
}
