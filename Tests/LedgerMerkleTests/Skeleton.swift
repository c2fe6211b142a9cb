import Testing
@Test func placeholderBuilds_LedgerMerkleTests() { #expect(Bool(true)) }
