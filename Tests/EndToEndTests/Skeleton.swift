import Testing
@Test func placeholderBuilds_EndToEndTests() { #expect(Bool(true)) }
