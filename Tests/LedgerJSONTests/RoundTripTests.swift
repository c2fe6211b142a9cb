import LedgerJSON
import Testing

/// parse → encode → parse gives the same value, and the canonical form is a
/// fixed point, for hand-picked and for generated values.
@Suite struct RoundTripTests {
    static let documents = [
        #"{"seq":1,"id":"5f0c","type":"MeetingHeld","occurredOn":"2012-03-14","data":{"cell":"CB-01","attendees":["m1","m2"],"minutesRecorded":true,"topic":null}}"#,
        #"[0,-1,9007199254740991,-9007199254740991,"\u0000\"\\\/",[],{},[[[]]]]"#,
        "{\"Chi b\u{1ED9}\":\"Ph\u{01B0}\u{1EDD}ng B\u{1EBF}n Ngh\u{00E9} 😀 \u{2028}\"}",
    ]

    @Test(arguments: documents)
    func handPicked(document: String) throws {
        let value = try JSONParser.parse(document)
        let encoded = CanonicalJSON.encode(value)
        let reparsed = try JSONParser.parse(encoded)
        #expect(reparsed == value)
        #expect(CanonicalJSON.encode(reparsed) == encoded)
        #expect(try JSONParser.parse(value.prettyPrinted()) == value)
    }

    @Test(arguments: [1, 2, 3, 4])
    func generatedValues(seed: UInt64) throws {
        var generator = ValueGenerator(random: SplitMix64(state: seed))
        for _ in 0..<250 {
            let value = generator.value(depth: 0)
            let encoded = CanonicalJSON.encode(value)
            let reparsed = try JSONParser.parse(encoded, allowFloats: generator.allowFloats)
            #expect(reparsed == value)
            #expect(CanonicalJSON.encode(reparsed) == encoded)  // byte-exact, not only canonically equivalent
            let pretty = try JSONParser.parse(value.prettyPrinted(), allowFloats: generator.allowFloats)
            #expect(CanonicalJSON.encode(pretty) == encoded)
        }
    }
}

/// Random JSON values within the parser's rules: integers within ±(2^53 − 1),
/// finite doubles, strings from ASCII, controls, Vietnamese, astral scalars
/// and combining marks (never surrogates or noncharacters).
struct ValueGenerator {
    var random: SplitMix64
    let allowFloats = true

    static let scalarRanges: [ClosedRange<UInt32>] = [
        0x00...0x1F, 0x20...0x7E, 0x20...0x7E, 0x20...0x7E, 0xA0...0xFF, 0x300...0x36F, 0x1EA0...0x1EF9,
        0x4E00...0x9FFF, 0xE000...0xF8FF, 0xFB1D...0xFB4F, 0xFF01...0xFF5E, 0x1F600...0x1F64F, 0x10000...0x1000F,
    ]

    mutating func text(lengthMax: Int) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<random.below(lengthMax + 1) {
            let range = Self.scalarRanges[random.below(Self.scalarRanges.count)]
            let value = range.lowerBound + UInt32(random.below(Int(range.upperBound - range.lowerBound) + 1))
            scalars.append(Unicode.Scalar(value)!)
        }
        return String(scalars)
    }

    mutating func value(depth: Int) -> JSONValue {
        let choice = random.below(depth >= 4 ? 7 : 10)
        switch choice {
        case 0: return .null
        case 1: return .bool(random.below(2) == 0)
        case 2: return .int(Int64(random.next() % UInt64(2 * JSONValue.integerMagnitudeMax + 1)) - JSONValue.integerMagnitudeMax)
        case 3: return .int(Int64(random.below(2001)) - 1000)
        case 4:
            var number: Double
            repeat { number = Double(bitPattern: random.next()) } while !number.isFinite
            // Whole doubles below 2^53 read back as .int; keep the generator's output unambiguous.
            if number.rounded() == number && number.magnitude <= Double(JSONValue.integerMagnitudeMax) { return .int(Int64(number)) }
            return .double(number)
        case 5, 6: return .string(text(lengthMax: 12))
        case 7: return .array((0..<random.below(6)).map { _ in value(depth: depth + 1) })
        default:
            var members: [String: JSONValue] = [:]
            for _ in 0..<random.below(7) { members[text(lengthMax: 6)] = value(depth: depth + 1) }
            return .object(members)
        }
    }
}
