import Testing
@Test func placeholderBuilds_LedgerDomainTests() { #expect(Bool(true)) }
