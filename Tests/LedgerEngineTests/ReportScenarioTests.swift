import LedgerEngine
import LedgerJSON
import Testing

/// Report cases the demo generator never makes (a report review found the
/// model that the demo tests compare with does not cover them): a committee
/// dissolved with its cells before the period, and an expulsion annulled.
@Suite struct ReportScenarioTests {
    @Test func aDissolvedCommitteesCellsAreOutOfScopeAndAnAnnulledExpulsionIsUndone() async throws {
        let dir = TempDir()
        let engine = try openEngine(dir)
        defer { engine.shutdown() }
        let events: [JSONValue] = setupEvents + [
            event("OrganizationRegistered", ["code": "DB02", "name": "Đảng bộ Sở Xây dựng", "kind": "committee", "parent": "BLOC"], on: "2012-01-02"),
            event("OrganizationRegistered", ["code": "CB03", "name": "Chi bộ Kỹ thuật", "kind": "cell", "parent": "DB02"], on: "2012-01-02"),
            event("MemberRegistered", ["memberId": "M009", "name": "Phạm Thị Dung", "cell": "CB03", "status": "official"], on: "2012-01-03"),
            // DB02 is dissolved (its cell with it) before 2024.
            event("OrganizationDissolved", ["code": "DB02", "reason": "Sáp nhập"], on: "2023-06-01"),
            // M002 is expelled, and the expulsion annulled on appeal.
            event("DisciplineImposed", ["disciplineId": "KL1", "subjectKind": "member", "subject": "M002", "form": "expulsion",
                                        "decidedBy": "DB01", "reason": "Vi phạm"], on: "2023-07-01"),
            event("DisciplineAppealed", ["disciplineId": "KL1", "grounds": "Oan"], on: "2023-07-10"),
            event("DisciplineRevised", ["disciplineId": "KL1", "outcome": "annulled"], on: "2023-08-01"),
        ]
        let outcomes = await engine.append(events, actor: tester, atomic: true)
        #expect(outcomes.allSatisfy { $0.seq != nil }, "\(outcomes.map(\.json))")
        let report = try engine.query(QueryRequest(kind: .report(org: "BLOC", from: "2024-01-01", to: "2024-12-31", format: "json")))
        #expect(report["cells"] == 2, "CB01 and CB02; CB03 went with DB02: \(report)")
        #expect(report["members"] == 3, "M001, M002 (back) and M003")
        #expect(report["membersWithoutTask"] == ["M001", "M002", "M003"])
        // The period of the dissolution and the expulsion: DB02's cell counts (dissolved during it), and the expulsion.
        let before = try engine.query(QueryRequest(kind: .report(org: "BLOC", from: "2023-01-01", to: "2023-12-31", format: "json")))
        #expect(before["cells"] == 3, "\(before)")
        #expect(before["disciplines"] == ["expulsion": 1])
    }

    /// A cell's dissolution annulled later does not bring it back into the
    /// reports of the time it stood dissolved: a cell is in scope when it
    /// stood (registered, not dissolved) on some day of the period, as the
    /// ledger tells it now. (The report once judged by today's state alone,
    /// so the annulment put the cell into a half-year it spent dissolved,
    /// with six months of meetings missed.)
    @Test func aCellIsJudgedByWhetherItStoodDuringThePeriod() async throws {
        let dir = TempDir()
        let engine = try openEngine(dir)
        defer { engine.shutdown() }
        let events: [JSONValue] = setupEvents + [
            // CB02 is dissolved as a discipline on 2023-06-01; the decision is annulled on 2024-02-01.
            event("DisciplineImposed", ["disciplineId": "KL-CB02", "subjectKind": "organization", "subject": "CB02",
                                        "form": "dissolution", "decidedBy": "DB01", "reason": "Vi phạm"], on: "2023-06-01"),
            event("DisciplineAppealed", ["disciplineId": "KL-CB02", "grounds": "Không đúng"], on: "2023-06-20"),
            event("DisciplineRevised", ["disciplineId": "KL-CB02", "outcome": "annulled"], on: "2024-02-01"),
            // CB03 is dissolved on 2023-06-01 too, and reinstated within the next half-year.
            event("OrganizationRegistered", ["code": "CB03", "name": "Chi bộ Kỹ thuật", "kind": "cell", "parent": "DB01"], on: "2012-01-02"),
            event("DisciplineImposed", ["disciplineId": "KL-CB03", "subjectKind": "organization", "subject": "CB03",
                                        "form": "dissolution", "decidedBy": "DB01", "reason": "Vi phạm"], on: "2023-06-01"),
            event("DisciplineAppealed", ["disciplineId": "KL-CB03", "grounds": "Không đúng"], on: "2023-06-20"),
            event("DisciplineRevised", ["disciplineId": "KL-CB03", "outcome": "annulled"], on: "2023-09-01"),
        ]
        let outcomes = await engine.append(events, actor: tester, atomic: true)
        #expect(outcomes.allSatisfy { $0.seq != nil }, "\(outcomes.map(\.json))")
        func cells(_ from: String, _ to: String) throws -> [String] {
            let report = try engine.query(QueryRequest(kind: .report(org: "DB01", from: from, to: to, format: "json")))
            return report["perCell"]?.arrayValue?.compactMap { $0["cell"]?.stringValue } ?? []
        }
        #expect(try cells("2023-01-01", "2023-06-30") == ["CB01", "CB02", "CB03"], "both dissolved during the period")
        #expect(try cells("2023-07-01", "2023-12-31") == ["CB01", "CB03"], "CB02 stood dissolved all the half-year")
        #expect(try cells("2023-07-01", "2023-08-31") == ["CB01"], "CB03 too, until September")
        #expect(try cells("2024-01-01", "2024-12-31") == ["CB01", "CB02", "CB03"], "CB02 stands again from February")
        #expect(try cells("2023-06-01", "2023-06-01") == ["CB01", "CB02", "CB03"], "dissolved on the first day: not before it")
    }
}
