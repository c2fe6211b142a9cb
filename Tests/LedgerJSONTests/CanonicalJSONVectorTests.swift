import Foundation
import LedgerJSON
import Testing

/// RFC 8785 examples and an independent oracle (Python's `jcs`) as data files.
@Suite struct CanonicalJSONVectorTests {
    @Test(arguments: ["sorting", "values", "escaping"])
    func rfc8785Example(name: String) throws {
        let input = try Vectors.bytes("rfc8785/\(name).input.json")
        let expected = try Vectors.bytes("rfc8785/\(name).expected.json")
        let value = try JSONParser.parse(input, allowFloats: true)
        #expect(CanonicalJSON.encode(value).text == expected.text)
        #expect(CanonicalJSON.encode(value) == expected)
    }

    @Test func appendixBNumbers() throws {
        let table = try Vectors.numberTable("rfc8785/numbers.txt")
        #expect(table.count == 24)
        for (bits, expected) in table {
            let got = CanonicalJSON.encode(.double(Double(bitPattern: bits))).text
            #expect(got == expected, "bits \(String(bits, radix: 16))")
        }
    }

    @Test func numbersCrossCheckedWithPythonJCS() throws {
        let table = try Vectors.numberTable("numbers-crosscheck.txt")
        #expect(table.count == 2200)
        var mismatches: [String] = []
        for (bits, expected) in table {
            let got = CanonicalJSON.encode(.double(Double(bitPattern: bits))).text
            if got != expected { mismatches.append("\(String(bits, radix: 16)): got \(got), want \(expected)") }
        }
        #expect(mismatches.isEmpty, "\(mismatches.prefix(10))")
    }

    /// Each canonical form, parsed back, gives the same double.
    @Test func numbersRoundTripThroughTheParser() throws {
        for (bits, expected) in try Vectors.numberTable("numbers-crosscheck.txt") {
            let parsed = try JSONParser.parse(expected, allowFloats: true)
            let want = Double(bitPattern: bits)
            switch parsed {
            case .double(let got): #expect(got == want, "\(expected)")
            case .int(let got): #expect(Double(got) == want, "\(expected)")
            default: Issue.record("\(expected) parsed as \(parsed.typeName)")
            }
        }
    }

    @Test func objectsCrossCheckedWithPythonJCS() throws {
        let inputs = try Vectors.lines("objects-crosscheck.input.jsonl")
        let expected = try Vectors.lines("objects-crosscheck.expected.jsonl")
        #expect(inputs.count == 300)
        #expect(inputs.count == expected.count)
        for (line, (input, want)) in zip(inputs, expected).enumerated() {
            let value = try JSONParser.parse(input, allowFloats: true)
            let got = CanonicalJSON.encode(value).text
            #expect(got == want, "line \(line + 1)")
            // The canonical form is a fixed point.
            #expect(CanonicalJSON.encode(try JSONParser.parse(got, allowFloats: true)).text == want, "line \(line + 1)")
        }
    }
}
