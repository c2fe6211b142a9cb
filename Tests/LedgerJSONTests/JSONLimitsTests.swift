import LedgerJSON
import Testing

/// Every limit at its boundary: exactly at the maximum parses, one past fails.
@Suite struct JSONLimitsTests {
    private func code(_ text: String, _ limits: JSONLimits) -> JSONParseError.Code? {
        do {
            _ = try JSONParser.parse(text, limits: limits)
            return nil
        } catch {
            return error.code
        }
    }

    @Test func defaults() {
        let limits = JSONLimits.default
        #expect(limits.depthMax == 32)
        #expect(limits.stringBytesMax == 65_536)
        #expect(limits.arrayCountMax == 10_000)
        #expect(limits.objectMemberCountMax == 1_000)
        #expect(limits.documentBytesMax == 1_048_576)
        // Relations: the largest string and array fit in a document.
        #expect(limits.stringBytesMax + 2 <= limits.documentBytesMax)
        #expect(limits.arrayCountMax * 2 + 1 <= limits.documentBytesMax)
    }

    @Test(arguments: [1, 4, 32])
    func depth(max: Int) {
        let limits = JSONLimits(depthMax: max)
        let arrays = { (n: Int) in String(repeating: "[", count: n) + String(repeating: "]", count: n) }
        let objects = { (n: Int) in String(repeating: #"{"a":"#, count: n) + "1" + String(repeating: "}", count: n) }
        #expect(code(arrays(max), limits) == nil)
        #expect(code(arrays(max + 1), limits) == .tooDeep)
        #expect(code(objects(max), limits) == nil)
        #expect(code(objects(max + 1), limits) == .tooDeep)
        #expect(code("1", limits) == nil)  // a scalar is depth 0
    }

    @Test func depthErrorPointsAtTheOpeningBracket() {
        #expect(throws: JSONParseError(code: .tooDeep, byteOffset: 2, message: "nesting depth 3 at byte 2: at most 2 is allowed")) {
            try JSONParser.parse("[[[]]]", limits: JSONLimits(depthMax: 2))
        }
    }

    @Test func defaultDepthBoundary() {
        #expect(code(String(repeating: "[", count: 32) + String(repeating: "]", count: 32), .default) == nil)
        #expect(code(String(repeating: "[", count: 33) + String(repeating: "]", count: 33), .default) == .tooDeep)
        // Far past the limit: refused without deep recursion.
        #expect(code(String(repeating: "[", count: 100_000), .default) == .tooDeep)
    }

    @Test func stringBytes() {
        let limits = JSONLimits(stringBytesMax: 8)
        #expect(code(#""12345678""#, limits) == nil)
        #expect(code(#""123456789""#, limits) == .stringTooLong)
        #expect(code(#""éééé""#, limits) == nil)  // 4 × 2 UTF-8 bytes
        #expect(code(#""ééééa""#, limits) == .stringTooLong)
        #expect(code(#""\u00e9\u00e9\u00e9\u00e9""#, limits) == nil)  // counted after decoding
        #expect(code(#""\u00e9\u00e9\u00e9\u00e9a""#, limits) == .stringTooLong)
        #expect(code(#""\n2345678""#, limits) == nil)
        #expect(code(#""\n23456789""#, limits) == .stringTooLong)
        #expect(code(#"{"12345678":1}"#, limits) == nil)  // member names too
        #expect(code(#"{"123456789":1}"#, limits) == .stringTooLong)
    }

    @Test func defaultStringBoundary() {
        let atMax = "\"" + String(repeating: "x", count: 65_536) + "\""
        let pastMax = "\"" + String(repeating: "x", count: 65_537) + "\""
        #expect(code(atMax, .default) == nil)
        #expect(code(pastMax, .default) == .stringTooLong)
    }

    @Test func arrayCount() {
        let limits = JSONLimits(arrayCountMax: 3)
        #expect(code("[1,2,3]", limits) == nil)
        #expect(code("[1,2,3,4]", limits) == .arrayTooLong)
        #expect(code("[[1,2,3],[1,2,3],[1,2,3]]", limits) == nil)  // per array, not per document
        #expect(throws: JSONParseError.self) { try JSONParser.parse("[1,2,3, 4]", limits: limits) }
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse("[1,2,3, 4]", limits: limits) }
        #expect(error?.byteOffset == 8)
    }

    @Test func defaultArrayBoundary() {
        let atMax = "[" + Array(repeating: "0", count: 10_000).joined(separator: ",") + "]"
        let pastMax = "[" + Array(repeating: "0", count: 10_001).joined(separator: ",") + "]"
        #expect(code(atMax, .default) == nil)
        #expect(code(pastMax, .default) == .arrayTooLong)
    }

    @Test func objectMemberCount() {
        let limits = JSONLimits(objectMemberCountMax: 2)
        #expect(code(#"{"a":1,"b":2}"#, limits) == nil)
        #expect(code(#"{"a":1,"b":2,"c":3}"#, limits) == .objectTooLarge)
        let error = #expect(throws: JSONParseError.self) { try JSONParser.parse(#"{"a":1,"b":2,"c":3}"#, limits: limits) }
        #expect(error?.byteOffset == 13)
    }

    @Test func defaultObjectBoundary() {
        let members = { (n: Int) in "{" + (0..<n).map { "\"k\($0)\":\($0)" }.joined(separator: ",") + "}" }
        #expect(code(members(1_000), .default) == nil)
        #expect(code(members(1_001), .default) == .objectTooLarge)
    }

    @Test func documentBytes() {
        let limits = JSONLimits(documentBytesMax: 10)
        #expect(code("[1,2,3,45]", limits) == nil)  // 10 bytes
        #expect(code("[1,2,3,456]", limits) == .documentTooLarge)  // 11 bytes
        #expect(code("[1,2,3,4] ", limits) == nil)  // whitespace counts
        #expect(code("[1,2,3,4]  ", limits) == .documentTooLarge)
    }

    @Test func defaultDocumentBoundary() {
        let atMax = "\"" + String(repeating: "x", count: 65_000) + "\"" + String(repeating: " ", count: 1_048_576 - 65_002)
        #expect(atMax.utf8.count == 1_048_576)
        #expect(code(atMax, .default) == nil)
        #expect(code(atMax + " ", .default) == .documentTooLarge)
    }
}
