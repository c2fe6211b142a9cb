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
}
