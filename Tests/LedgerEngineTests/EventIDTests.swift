import Foundation
@testable import LedgerEngine
import Testing

@Suite struct EventIDTests {
    @Test func idsAreLowercaseVersion4UUIDs() {
        var seen = Set<String>()
        var random = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let id = EventID.random(using: &random)
            #expect(id.count == 36)
            #expect(id == id.lowercased())
            let parsed = UUID(uuidString: id)
            #expect(parsed != nil, "\(id) is not a UUID")
            #expect(parsed?.uuidString.lowercased() == id)
            let chars = Array(id)
            #expect(chars[14] == "4", "version nibble of \(id)")
            #expect("89ab".contains(chars[19]), "variant nibble of \(id)")
            seen.insert(id)
        }
        #expect(seen.count == 2000)
    }

    @Test func theLayoutFollowsTheGeneratorsBits() {
        var zeros = FixedGenerator(values: [0, 0])
        #expect(EventID.random(using: &zeros) == "00000000-0000-4000-8000-000000000000")
        var ones = FixedGenerator(values: [.max, .max])
        #expect(EventID.random(using: &ones) == "ffffffff-ffff-4fff-bfff-ffffffffffff")
    }
}

private struct FixedGenerator: RandomNumberGenerator {
    var values: [UInt64]
    mutating func next() -> UInt64 { values.removeFirst() }
}

@Suite struct BufferedRandomTests {
    @Test func refillsGiveFreshWordsAcrossBufferBoundaries() {
        let random = BufferedRandom()
        var words = Set<UInt64>()
        for _ in 0..<5000 { words.insert(random.next()) }
        // 5000 draws cross four refills; 64-bit words from a CSPRNG do not repeat.
        #expect(words.count == 5000)
    }

    @Test func idsFromTheBufferedSourceAreVersion4() {
        var random = BufferedRandom()
        for _ in 0..<1500 {
            let id = EventID.random(using: &random)
            #expect(UUID(uuidString: id) != nil)
            #expect(Array(id)[14] == "4")
        }
    }
}
