import Testing
@Test func placeholderBuilds_LedgerJSONTests() { #expect(Bool(true)) }
