import Testing
@Test func placeholderBuilds_LedgerStoreTests() { #expect(Bool(true)) }
