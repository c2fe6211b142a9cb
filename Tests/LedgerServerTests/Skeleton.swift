import Testing
@Test func placeholderBuilds_LedgerServerTests() { #expect(Bool(true)) }
