import LedgerDemo
import LedgerJSON
import Testing

@Suite struct StreamingTests {
    /// A 10 M event configuration starts at once: nothing is generated ahead of what is consumed.
    @Test func hugeConfigurationStreamsLazily() {
        let configuration = DemoConfiguration.sized(events: 10_000_000, seed: 1)
        #expect(configuration.months == 60)
        #expect(configuration.committees > 3_000)
        #expect(!configuration.recordsModel)
        var iterator = DemoGenerator(configuration).makeIterator()
        var last: JSONValue?
        for _ in 0..<20_000 { last = iterator.next() }
        #expect(iterator.count == 20_000)
        #expect(last?["occurredOn"] == .string(configuration.startDate))
    }

    @Test func sizedStreamsHaveExactlyTheTargetCount() {
        for target in [5_000, 40_000] {
            let generator = DemoGenerator(.sized(events: target, seed: 3))
            let events = Array(generator)
            #expect(events.count == target)
            #expect(generator.model.eventCount == target)
        }
    }

    @Test func limitedStreamIsAPrefixOfTheFullOne() {
        var limited = Samples.small
        limited.eventLimit = 700
        let prefix = Array(DemoGenerator(limited))
        let full = Array(DemoGenerator(Samples.small))
        #expect(prefix.count == 700)
        #expect(Array(full.prefix(700)) == prefix)
    }

    @Test func modelCanBeSwitchedOff() {
        var configuration = Samples.small
        configuration.recordsModel = false
        let generator = DemoGenerator(configuration)
        #expect(Array(generator).count > 500)
        #expect(generator.model.eventCount == 0)
    }

    @Test func badConfigurationsAreDescribed() {
        var configuration = DemoConfiguration(seed: 1)
        #expect(configuration.problems.isEmpty)
        configuration.membersPerCell = 2...40
        configuration.startDate = "2025-02-30"
        configuration.months = 0
        configuration.committees = 0
        #expect(configuration.problems.count == 4)
    }

    @Test func historyEndsInOctober2026() {
        let configuration = DemoConfiguration.sized(events: 200_000, seed: 1)
        #expect(configuration.startDate == "2023-11-01" && configuration.months == 36)
    }
}
