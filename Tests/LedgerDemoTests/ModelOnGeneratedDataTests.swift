import LedgerDemo
import LedgerJSON
import Testing

/// The model's reports on generated streams, checked against a brute-force
/// recomputation and against each other.
@Suite struct ModelOnGeneratedDataTests {
    let generated = DemoGenerator(Samples.busy).generateAll()

    static let periods = [
        ("2024-06-15", "2026-11-30"), ("2025-01-01", "2025-12-31"), ("2025-03-17", "2025-09-02"),
        ("2025-10-01", "2025-10-31"), ("2026-02-14", "2026-02-14"), ("2024-07-01", "2024-12-31"),
    ]

    @Test(arguments: periods)
    func modelAgreesWithBruteForce(period: (String, String)) {
        let (events, model) = generated
        var orgs = [model.blocCode] + model.committeeCodes.prefix(3)
        orgs += model.cellCodes.enumerated().filter { $0.offset % 5 == 0 }.map(\.element)
        let retracted = BruteForceReport.retracted(events)
        #expect(!retracted.isEmpty)
        for org in orgs {
            let expected = model.expectedReport(org: org, from: period.0, to: period.1)
            let brute = BruteForceReport.report(events, retracted: retracted, org: org, from: period.0, to: period.1)
            let differences = DemoReportComparison.differences(expected: brute, actual: expected)
            #expect(differences.isEmpty, "\(org) \(period): \(differences)")
        }
    }

    /// Around generated reorganizations: a merged (dissolved) cell and new cells, and the members moved.
    @Test func modelAgreesWithBruteForceAroundReorganizations() throws {
        let (events, model) = DemoGenerator(Samples.wide).generateAll()
        let retracted = BruteForceReport.retracted(events)
        let dissolution = try #require(events.first { $0["type"] == "OrganizationDissolved" })
        let cell = dissolution["data"]!["code"]!.stringValue!
        let committee = String(cell.prefix { $0 != "-" })
        let day = dissolution["occurredOn"]!.stringValue!
        let dayAfter = DemoCalendar.string(DemoCalendar.parse(day)! + 1)
        let first = try #require(model.firstDate), last = try #require(model.lastDate)
        for (from, to) in [(first, day), (day, last), (dayAfter, last), (first, last)] {
            for org in [committee, cell] {
                let expected = model.expectedReport(org: org, from: from, to: to)
                let brute = BruteForceReport.report(events, retracted: retracted, org: org, from: from, to: to)
                let differences = DemoReportComparison.differences(expected: brute, actual: expected)
                #expect(differences.isEmpty, "\(org) \(from)...\(to): \(differences)")
            }
        }
        #expect(model.expectedReport(org: cell, from: day, to: last)["cells"] == 1)
        #expect(model.expectedReport(org: cell, from: dayAfter, to: last)["cells"] == 0)
    }

    /// Counts over the bloc are the sums over its committees (cells belong to exactly one committee).
    @Test func blocIsTheSumOfItsCommittees() {
        let model = generated.model
        let bloc = model.expectedReport(org: model.blocCode, from: "2025-01-01", to: "2025-12-31")
        let parts = model.committeeCodes.map { model.expectedReport(org: $0, from: "2025-01-01", to: "2025-12-31") }
        for key in ["cells", "members", "regularMeetings", "thematicMeetings", "cellsMeetingMonthly", "inspectedCells", "supervisedCells"] {
            let sum = parts.reduce(Int64(0)) { $0 + ($1[key]?.intValue ?? 0) }
            #expect(bloc[key]?.intValue == sum, "\(key)")
        }
        for key in ["retireesPendingTransfer", "membersWithoutTask", "cellsMissingMeetings"] {
            #expect(bloc[key]?.arrayValue?.count == parts.reduce(0) { $0 + ($1[key]?.arrayValue?.count ?? 0) }, "\(key)")
        }
    }

    /// The generated history looks like the real thing.
    @Test func generatedHistoryIsRealistic() throws {
        let (events, model) = generated
        let report = model.expectedReport(org: model.blocCode, from: "2025-01-01", to: "2025-12-31")
        let attendance = try #require(report["attendanceRate"].flatMap { if case .double(let d) = $0 { d } else { nil } })
        #expect(attendance > 85 && attendance < 99)
        #expect((report["cellsMissingMeetings"]?.arrayValue?.count ?? 0) > 0)
        #expect((report["cellsMeetingMonthly"]?.intValue ?? 0) > 0)
        #expect((report["retireesPendingTransfer"]?.arrayValue?.count ?? 0) > 0)
        #expect((report["membersWithoutTask"]?.arrayValue?.count ?? 0) > 0)
        #expect((report["supervisions"]?.intValue ?? 0) > 0 && (report["inspections"]?.intValue ?? 0) > 0)

        let late = DemoCalendarCheck.day("2025-10-28")
        var long = 0, short = 0, absenceReasons = Set<String>()
        for event in events where event["type"] == "MeetingHeld" {
            let data = event["data"]!
            for absentee in data["absentees"]!.arrayValue! { absenceReasons.insert(absentee["reason"]!.stringValue!) }
            guard DemoCalendarCheck.day(event["occurredOn"]!.stringValue!) >= late else { continue }
            if data["durationMinutes"]!.intValue! >= 90 { long += 1 } else { short += 1 }
        }
        #expect(long > 5 * short && short > 0, "after 2025-10-28: \(long) ≥ 90 minutes, \(short) shorter")
        #expect(absenceReasons.isSuperset(of: ["công tác", "ốm", "việc gia đình"]))

        let families: Set<Substring> = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]
        for event in events where event["type"] == "MemberRegistered" || event["type"] == "MemberAdmitted" {
            let name = event["data"]!["name"]!.stringValue!.split(separator: " ")
            #expect(name.count == 3 && families.contains(name[0]), "\(name)")
            #expect(event["data"]!["memberId"]!.stringValue!.wholeMatch(of: /DV\d{6,}/) != nil)
        }
        for code in model.cellCodes { #expect(code.wholeMatch(of: /DB\d{2,}-CB\d{2}/) != nil) }
        #expect(model.blocCode == "DBK")

        let disciplines = events.filter { $0["type"] == "DisciplineImposed" }.map { $0["data"]!["form"]!.stringValue! }
        #expect(disciplines.filter { $0 == "reprimand" || $0 == "warning" }.count * 2 > disciplines.count)
        let residences = events.filter { $0["type"] == "MemberTransferredToResidence" }.count
        let retirements = events.filter { $0["type"] == "MemberRetired" }.count
        #expect(residences < retirements && residences * 2 > retirements)
    }
}

enum DemoCalendarCheck {
    static func day(_ text: String) -> Int { DemoCalendar.parse(text)! }
}
