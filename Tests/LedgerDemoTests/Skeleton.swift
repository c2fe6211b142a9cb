import Testing
@Test func skeletonBuilds() { #expect(Bool(true)) }
