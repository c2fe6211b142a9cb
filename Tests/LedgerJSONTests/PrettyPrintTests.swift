import LedgerJSON
import Testing

@Suite struct PrettyPrintTests {
    static let cases: [(JSONValue, String)] = [
        (JSONValue.null, "null"), (1, "1"), ("a\"b", #""a\"b""#), ([], "[]"), ([:], "{}"),
        ([1, 2], "[\n  1,\n  2\n]"),
        (["b": [true, [:]], "a": "é"], "{\n  \"a\": \"é\",\n  \"b\": [\n    true,\n    {}\n  ]\n}"),
        (.double(1e21), "1e+21"), (.double(.nan), "null"), (.int(Int64.max), "9223372036854775807"),
    ]

    @Test(arguments: cases)
    func layout(value: JSONValue, expected: String) {
        #expect(value.prettyPrinted() == expected)
    }
}
