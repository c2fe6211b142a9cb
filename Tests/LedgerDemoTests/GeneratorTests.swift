import LedgerDemo
import LedgerJSON
import Testing

/// Small configurations shared by the generator tests (each generated once per use; a few thousand events).
enum Samples {
    static let small = DemoConfiguration(seed: 7)
    static let busy = DemoConfiguration(
        seed: 2024, committees: 6, cellsPerCommittee: 2...9, membersPerCell: 3...30,
        startDate: "2024-06-15", months: 30, retractionsPerMillion: 20_000)
    static let wide = DemoConfiguration.sized(events: 30_000, seed: 99)
    /// Edges: one tiny cell from a leap day; full cells in 2012 with many retractions.
    static let tiny = DemoConfiguration(
        seed: 11, committees: 1, cellsPerCommittee: 1...1, membersPerCell: 3...3, startDate: "2024-02-29", months: 14)
    static let crowded = DemoConfiguration(
        seed: 12, committees: 2, cellsPerCommittee: 3...4, membersPerCell: 28...30, startDate: "2012-03-14", months: 40,
        retractionsPerMillion: 50_000, idempotencyKeys: true)
}

@Suite struct DeterminismTests {
    @Test func sameSeedSameStream() {
        let first = DemoGenerator(Samples.small).generateAll().events
        let second = Array(DemoGenerator(Samples.small))
        #expect(first.count > 500)
        #expect(first == second)
    }

    @Test func differentSeedDifferentStream() {
        var other = Samples.small
        other.seed = 8
        #expect(DemoGenerator(Samples.small).generateAll().events != DemoGenerator(other).generateAll().events)
    }

    @Test func iteratingAgainRestartsStreamAndModel() {
        let generator = DemoGenerator(Samples.small)
        let once = Array(generator)
        let countAfterFirst = generator.model.eventCount
        let twice = Array(generator)
        #expect(once == twice)
        #expect(generator.model.eventCount == countAfterFirst)
        #expect(countAfterFirst == once.count)
    }

    @Test func idempotencyKeysAreUniqueAndStable() {
        var configuration = Samples.small
        configuration.idempotencyKeys = true
        let events = DemoGenerator(configuration).generateAll().events
        let keys = events.compactMap { $0["idempotencyKey"]?.stringValue }
        #expect(keys.count == events.count)
        #expect(Set(keys).count == keys.count)
        #expect(keys.first == "demo-7-1")
    }
}

@Suite struct WellFormednessTests {
    @Test(arguments: [Samples.small, Samples.busy, Samples.tiny, Samples.crowded])
    func everyEventFitsTheContract(configuration: DemoConfiguration) {
        let events = DemoGenerator(configuration).generateAll().events
        var problems: [String] = []
        for (index, event) in events.enumerated() {
            problems += EventShapeChecker.problems(event).map { "seq \(index + 1): \($0)" }
        }
        #expect(problems.isEmpty, "\(problems.prefix(20))")
    }

    @Test func everyTypeOccurs() {
        var seen = Set<String>()
        for configuration in [Samples.busy, Samples.wide] {
            seen.formUnion(DemoGenerator(configuration).generateAll().events.compactMap { $0["type"]?.stringValue })
        }
        let expected = Set(EventShapeChecker.types.keys)
        #expect(expected.subtracting(seen).isEmpty, "never generated: \(expected.subtracting(seen).sorted())")
    }

    @Test func checkerRefusesMalformedEvents() {
        let good: JSONValue = ["type": "MemberConfirmed", "occurredOn": "2024-02-29", "data": ["memberId": "DV000001"]]
        #expect(EventShapeChecker.problems(good).isEmpty)
        let bad: [JSONValue] = [
            ["type": "MemberConfirmed", "occurredOn": "2023-02-29", "data": ["memberId": "DV000001"]],
            ["type": "MemberConfirmed", "occurredOn": "2024-02-01", "data": ["memberId": "DV 1"]],
            ["type": "MemberConfirmed", "occurredOn": "2024-02-01", "data": ["memberId": "DV1", "extra": 1]],
            ["type": "MemberConfirmed", "occurredOn": "2024-02-01", "data": [:]],
            ["type": "MeetingHeld", "occurredOn": "2024-02-01", "data": ["cell": "C", "kind": "regular", "durationMinutes": .double(90),
                "attendees": [], "absentees": [], "speakers": [], "minutesRecorded": true]],
            ["type": "MemberAdmitted", "occurredOn": "2024-02-01",
                "data": ["memberId": "DV1", "cell": "C", "name": .string("Nguye\u{302}\u{303}n Văn A")]],
            ["type": "Nope", "occurredOn": "2024-02-01", "data": [:]],
        ]
        for event in bad { #expect(!EventShapeChecker.problems(event).isEmpty, "\(event)") }
    }
}

@Suite struct ConsistencyTests {
    @Test(arguments: [Samples.small, Samples.busy, Samples.wide, Samples.tiny, Samples.crowded])
    func streamObeysTheDomainRules(configuration: DemoConfiguration) {
        let events = DemoGenerator(configuration).generateAll().events
        var checker = RulesChecker()
        checker.check(events)
        #expect(checker.violations.isEmpty, "\(checker.violations.prefix(20))")
    }

    @Test func checkerCatchesBrokenRules() {
        var events = DemoGenerator(Samples.small).generateAll().events
        let meeting = events.firstIndex { $0["type"]?.stringValue == "MeetingHeld" }!
        guard case .object(var envelope) = events[meeting], case .object(var data) = envelope["data"]! else { return }
        data["speakers"] = ["DV999999"]
        envelope["data"] = .object(data)
        events[meeting] = .object(envelope)
        events.append(["type": "EventRetracted", "occurredOn": "2099-01-01", "data": ["seq": 1, "reason": "x"]])
        var checker = RulesChecker()
        checker.check(events)
        #expect(checker.violations.count >= 2)
    }

    @Test func retractionsPointAtRetractableEventsOfThisStream() {
        let events = DemoGenerator(Samples.busy).generateAll().events
        let retractions = events.filter { $0["type"]?.stringValue == "EventRetracted" }
        #expect(retractions.count >= 3)
        for retraction in retractions {
            let target = Int(retraction["data"]!["seq"]!.intValue!)
            let type = events[target - 1]["type"]!.stringValue!
            #expect(RulesChecker.retractable.contains(type))
        }
    }

    @Test func modelAgreesWithTheCheckersEndState() throws {
        let (events, model) = DemoGenerator(Samples.busy).generateAll()
        var checker = RulesChecker()
        checker.check(events)
        let last = try #require(model.lastDate)
        for cell in model.cellCodes {
            let report = model.expectedReport(org: cell, from: last, to: last)
            let active = checker.members.filter { $0.value.active && $0.value.cell == cell }
            #expect(report["members"] == .int(Int64(active.count)), "\(cell)")
            let retirees = active.filter(\.value.retired).keys.sorted().map { JSONValue.string($0) }
            #expect(report["retireesPendingTransfer"] == .array(retirees), "\(cell)")
            let withoutTask = active.filter { $0.value.taskSeqs.allSatisfy(checker.retracted.contains) }
            #expect(report["membersWithoutTask"] == .array(withoutTask.keys.sorted().map { .string($0) }), "\(cell)")
        }
    }
}
