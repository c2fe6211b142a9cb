import LedgerDomain
import LedgerJSON
import Testing

@Suite("Properties: random legal histories are accepted; illegal mutations refused")
struct PropertyTests {
    @Test(arguments: 1...24 as ClosedRange<UInt64>)
    func randomHistory(seed: UInt64) throws {
        var model = HistoryModel(seed: seed)
        var ledger = TestLedger()
        var refusals = 0
        for step in 0..<400 {
            let (event, day) = model.nextLegal()
            let seq: UInt64
            do {
                seq = try ledger.submit(event, on: day)
            } catch {
                Issue.record("seed \(seed) step \(step): legal \(event.type.rawValue) refused: \(error)\n\(event)")
                return
            }
            if event.isLeaf { model.leafSeqs.append(seq) }
            if step % 5 == 0, let (bad, code) = model.illegal() {
                let before = ledger.state
                do {
                    try ledger.submit(bad, on: day)
                    Issue.record("seed \(seed) step \(step): illegal \(bad.type.rawValue) accepted; want \(code.rawValue)")
                    return
                } catch {
                    #expect(error.code == code, "seed \(seed): \(error)")
                    #expect(ledger.state == before)
                    refusals += 1
                }
            }
            if step % 37 == 36 {
                // A batch under a savepoint, rolled back: the state is exactly as before.
                let before = ledger.state
                let bytes = before.snapshot()
                var scratch = model
                let savepoint = ledger.state.beginSavepoint()
                for _ in 0..<5 {
                    let (e, d) = scratch.nextLegal()
                    _ = try? ledger.submit(e, on: d)
                }
                let added = Int(ledger.log.nextSeq - 1 - before.appliedSeq)
                ledger.state.rollback(to: savepoint)
                for _ in 0..<added { ledger.log.removeLast() }
                #expect(ledger.state == before, "seed \(seed) step \(step): rollback")
                #expect(ledger.state.snapshot() == bytes)
            }
            if step % 50 == 49 { try checkInvariants(ledger.state, model: model, seed: seed) }
        }
        try checkInvariants(ledger.state, model: model, seed: seed)
        #expect(refusals > 20)
        // Snapshot round trip and replay reproduce the state.
        #expect(try DomainState(snapshot: ledger.state.snapshot()) == ledger.state)
        var replay = DomainState()
        for (i, e) in ledger.log.events.enumerated() {
            replay.apply(e.event, seq: UInt64(i + 1), occurredOn: e.occurredOn, lookup: ledger.log)
        }
        #expect(replay == ledger.state)
    }

    func checkInvariants(_ s: DomainState, model: HistoryModel, seed: UInt64) throws {
        // The model and the state agree on every member.
        #expect(s.members.count == model.members.count, "seed \(seed)")
        for (id, m) in model.members {
            let got = try #require(s.members[id])
            #expect(got.isActive == m.active && got.cell == m.cell && got.status == m.status, "seed \(seed) \(id)")
            #expect(Set(got.roles.keys) == m.roles, "seed \(seed) \(id) roles")
            #expect((got.retiredOn != nil) == m.retired, "seed \(seed) \(id) retired")
            // Roles only in the member's cell or above; none after leaving.
            for key in got.roles.keys {
                #expect(got.isActive && (key.organization == got.cell || s.ancestors(of: got.cell).contains(key.organization)))
            }
        }
        for (code, o) in model.orgs {
            #expect(s.organizations[code]?.isDissolved == o.dissolved, "seed \(seed) \(code)")
        }
        for (id, d) in model.disciplines { #expect(s.disciplines[id]?.currentForm == d.form, "seed \(seed) \(id)") }
        // Indexes agree with the entities.
        var byCell: [String: Set<String>] = [:]
        for (id, m) in s.members { byCell[m.cell, default: []].insert(id) }
        #expect(byCell == Dictionary(uniqueKeysWithValues: s.membersByCell.map { ($0.key, $0.value) }))
        var children: [String: Set<String>] = [:]
        for (code, o) in s.organizations { if let p = o.parent { children[p, default: []].insert(code) } }
        #expect(children == Dictionary(uniqueKeysWithValues: s.childrenByParent.map { ($0.key, $0.value) }))
        // Every parent and every member's cell exists.
        for o in s.organizations.values { if let p = o.parent { #expect(s.organizations[p] != nil) } }
        for m in s.members.values { #expect(s.organizations[m.cell]?.kind == .cell) }
        for (target, by) in s.retracted { #expect(by > target) }
    }
}
