@testable import LedgerDomain
import LedgerJSON
import Testing

/// The oracle for retraction: a ledger where event E was retracted holds the same
/// entities as a replay of the log that skips E (and the retractions).
@Suite("Properties: a retraction equals never having applied the event")
struct RetractionPropertyTests {
    @Test(arguments: 1...12 as ClosedRange<UInt64>)
    func retractionMatchesSkippingReplay(seed: UInt64) throws {
        var model = HistoryModel(seed: seed &* 7919)
        var ledger = TestLedger()
        for _ in 0..<250 {
            let (event, day) = model.nextLegal()
            if case .eventRetracted = event { continue }
            _ = try ledger.submit(event, on: day)
        }
        var rng = SeededRandom(seed: seed)
        var accepted = 0
        var refused: [DomainError.Code: Int] = [:]
        for _ in 0..<60 {
            let target = 1 + rng.next() % ledger.state.appliedSeq
            let before = ledger.state
            do throws(DomainError) {
                try ledger.submit(.eventRetracted(.init(seq: target, reason: "thử")), on: BusinessDate("2030-01-01")!)
                accepted += 1
            } catch {
                refused[error.code, default: 0] += 1
                #expect(ledger.state == before)
                #expect([.retractionHasDependents, .alreadyRetracted, .retractionOfRetraction].contains(error.code), "\(error)")
                continue
            }
            try expectSameEntities(ledger.state, skippingReplay(ledger.log, retracted: Set(ledger.state.retracted.keys)), seed: seed)
        }
        #expect(accepted > 5, "seed \(seed): only \(accepted) retractions accepted")
        #expect(refused[.retractionHasDependents, default: 0] > 5)
        #expect(try DomainState(snapshot: ledger.state.snapshot()) == ledger.state)
    }

    func skippingReplay(_ log: InMemoryEventLog, retracted: Set<UInt64>) -> DomainState {
        var state = DomainState()
        for (i, e) in log.events.enumerated() {
            let seq = UInt64(i + 1)
            if retracted.contains(seq) { continue }
            if case .eventRetracted = e.event { continue }
            state.apply(e.event, seq: seq, occurredOn: e.occurredOn, lookup: log)
        }
        return state
    }

    func expectSameEntities(_ a: DomainState, _ b: DomainState, seed: UInt64) throws {
        func norm(_ t: ReferenceTracker) -> Int { t.count }
        #expect(a.organizations.keys.sorted() == b.organizations.keys.sorted(), "seed \(seed)")
        for (code, o) in a.organizations {
            let p = try #require(b.organizations[code])
            #expect(o.timeline == p.timeline && o.meetingQuarters == p.meetingQuarters, "seed \(seed) org \(code)")
            #expect(norm(o.references) == norm(p.references), "seed \(seed) org \(code) references")
        }
        #expect(a.members.keys.sorted() == b.members.keys.sorted(), "seed \(seed)")
        for (id, m) in a.members {
            var n = try #require(b.members[id])
            #expect(m.timeline == n.timeline, "seed \(seed) member \(id)")
            #expect(norm(m.references) == norm(n.references), "seed \(seed) member \(id) references")
            n.references = m.references
            #expect(m == n, "seed \(seed) member \(id)")
        }
        for (id, var i) in a.inspections {
            var j = try #require(b.inspections[id])
            #expect(norm(i.references) == norm(j.references))
            i.references = .init()
            j.references = .init()
            #expect(i == j, "seed \(seed) inspection \(id)")
        }
        #expect(a.inspections.count == b.inspections.count)
        for (id, var d) in a.disciplines {
            var e = try #require(b.disciplines[id])
            #expect(norm(d.references) == norm(e.references))
            d.references = .init()
            e.references = .init()
            #expect(d == e, "seed \(seed) discipline \(id)")
        }
        #expect(a.disciplines.count == b.disciplines.count)
        #expect(a.membersByCell == b.membersByCell && a.childrenByParent == b.childrenByParent)
    }
}
