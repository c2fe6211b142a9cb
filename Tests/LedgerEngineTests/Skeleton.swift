import Testing
@Test func placeholderBuilds_LedgerEngineTests() { #expect(Bool(true)) }
