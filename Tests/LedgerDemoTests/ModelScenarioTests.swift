import LedgerDemo
import LedgerJSON
import Testing

/// A hand-written ledger fed through `DemoModel`, with every expected figure
/// worked out by hand in the comments: the oracle itself is checked.
///
///     B (bloc) ─┬─ C1 ─┬─ C1-A: M1 M2 M3 M4 M8
///               │      └─ C1-B: M5 M6
///               └─ C2 ─┬─ C2-A: M7
///                      └─ C2-B (dissolved 2025-02-10)
final class Scenario {
    private(set) var events: [JSONValue] = []
    let model = DemoModel()

    /// Appends one submission and returns its seq.
    @discardableResult
    func add(_ type: String, _ date: String, _ data: JSONValue) -> Int {
        let event: JSONValue = ["type": .string(type), "occurredOn": .string(date), "data": data]
        events.append(event)
        model.apply(event)
        return events.count
    }

    func meeting(_ date: String, _ cell: String, regular: Bool = true, attend: [String], absent: [String] = [],
                 speak: [String], minutes: Int64, recorded: Bool = true) -> Int {
        add("MeetingHeld", date, [
            "cell": .string(cell), "kind": regular ? "regular" : "thematic", "durationMinutes": .int(minutes),
            "attendees": .array(attend.map { .string($0) }),
            "absentees": .array(absent.map { ["memberId": .string($0), "reason": "ốm"] }),
            "speakers": .array(speak.map { .string($0) }), "minutesRecorded": .bool(recorded),
        ])
    }

    static func build() -> Scenario {
        let s = Scenario()
        s.add("OrganizationRegistered", "2025-01-02", ["code": "B", "name": "Đảng bộ Khối", "kind": "bloc"])
        for (code, parent, kind) in [("C1", "B", "committee"), ("C1-A", "C1", "cell"), ("C1-B", "C1", "cell"),
                                     ("C2", "B", "committee"), ("C2-A", "C2", "cell"), ("C2-B", "C2", "cell")] {
            s.add("OrganizationRegistered", "2025-01-02", ["code": .string(code), "name": "Chi bộ", "kind": .string(kind), "parent": .string(parent)])
        }
        for (id, cell) in [("M1", "C1-A"), ("M2", "C1-A"), ("M3", "C1-A"), ("M4", "C1-A"), ("M5", "C1-B"), ("M6", "C1-B"),
                           ("M7", "C2-A"), ("M8", "C1-A")] {
            s.add("MemberRegistered", "2025-01-02", ["memberId": .string(id), "name": "Lê Văn An", "cell": .string(cell), "status": "official"])
        }
        s.add("MemberTaskAssigned", "2025-01-10", ["memberId": "M1", "task": "Tuyên giáo"])  // before `from`, still counts
        _ = s.meeting("2025-01-20", "C1-A", attend: ["M1", "M2", "M3"], absent: ["M4"], speak: ["M1"], minutes: 90)
        s.add("MemberRetired", "2025-02-01", ["memberId": "M8"])
        _ = s.meeting("2025-02-05", "C1-A", attend: ["M1", "M2", "M3", "M4", "M8"], speak: ["M1", "M2"], minutes: 120)
        _ = s.meeting("2025-02-06", "C1-B", attend: ["M5"], absent: ["M6"], speak: ["M5"], minutes: 60, recorded: false)
        _ = s.meeting("2025-02-07", "C2-A", attend: ["M7"], speak: ["M7"], minutes: 100)
        s.add("OrganizationDissolved", "2025-02-10", ["code": "C2-B", "reason": "Sáp nhập"])
        s.add("MemberTransferred", "2025-02-20", ["memberId": "M4", "toCell": "C1-B", "kind": "official"])
        s.add("MemberTransferredToResidence", "2025-03-01", ["memberId": "M8", "residenceOrganization": "Chi bộ khu phố 3, phường Bến Nghé"])
        _ = s.meeting("2025-03-03", "C1-A", attend: ["M1", "M2"], absent: ["M3"], speak: ["M2"], minutes: 90)
        let wrong = s.meeting("2025-03-04", "C1-B", attend: ["M4", "M5", "M6"], speak: ["M4"], minutes: 150)
        s.add("EventRetracted", "2025-03-10", ["seq": .int(Int64(wrong)), "reason": "Ghi nhầm ngày họp"])
        _ = s.meeting("2025-03-15", "C1-B", regular: false, attend: ["M4", "M5"], absent: ["M6"], speak: ["M4", "M5"], minutes: 120)
        s.add("MemberRetired", "2025-03-20", ["memberId": "M3"])
        s.add("InspectionFiled", "2025-03-25", ["inspectionId": "I1", "by": "C1", "kind": "supervision", "targetOrganizations": ["C1-A", "C2-A"]])
        s.add("InspectionFiled", "2025-04-01", ["inspectionId": "I2", "by": "B", "kind": "inspection", "targetOrganizations": ["C1-B"]])
        s.add("InspectionFiled", "2025-04-02", ["inspectionId": "I3", "by": "B", "kind": "violation-inspection",
                                                "targetOrganizations": ["C2-A"], "targetMembers": ["M7"]])
        s.add("InspectionFiled", "2025-04-03", ["inspectionId": "I4", "by": "B", "kind": "inspection", "targetOrganizations": ["C1"]])
        s.add("MemberTaskAssigned", "2025-04-05", ["memberId": "M5", "task": "Đảng phí"])
        let mistaken = s.add("MemberTaskAssigned", "2025-04-06", ["memberId": "M6", "task": "Đảng phí"])
        s.add("EventRetracted", "2025-04-07", ["seq": .int(Int64(mistaken)), "reason": "Ghi nhầm đảng viên"])
        s.add("DisciplineImposed", "2025-04-10", ["disciplineId": "D1", "subjectKind": "member", "subject": "M2",
                                                  "form": "reprimand", "decidedBy": "C1-A", "reason": "x"])
        s.add("DisciplineImposed", "2025-04-12", ["disciplineId": "D2", "subjectKind": "organization", "subject": "C1-B",
                                                  "form": "warning", "decidedBy": "C1", "reason": "x"])
        s.add("DisciplineImposed", "2025-04-15", ["disciplineId": "D3", "subjectKind": "member", "subject": "M7",
                                                  "form": "expulsion", "decidedBy": "C2", "reason": "x"])
        s.add("MemberTaskAssigned", "2025-04-25", ["memberId": "M2", "task": "Tuyên giáo"])  // after `to`
        s.add("OrganizationRegistered", "2025-04-26", ["code": "C1-C", "name": "Chi bộ", "kind": "cell", "parent": "C1"])
        return s
    }
}

@Suite struct ModelScenarioTests {
    let scenario = Scenario.build()

    func expect(_ report: JSONValue, _ expected: [String: JSONValue], sourceLocation: SourceLocation = #_sourceLocation) {
        let differences = DemoReportComparison.differences(expected: .object(expected), actual: report)
        #expect(differences.isEmpty, "\(differences)", sourceLocation: sourceLocation)
        // The model's report has exactly the contract's keys.
        #expect(Set(report.objectValue?.keys ?? [:].keys) == Set(expected.keys), sourceLocation: sourceLocation)
    }

    /// C1 from mid-January to mid-April: whole months are February and March only.
    @Test func committeeOverPartialPeriod() {
        expect(scenario.model.expectedReport(org: "C1", from: "2025-01-15", to: "2025-04-20"), [
            "organization": "C1", "from": "2025-01-15", "to": "2025-04-20",
            "cells": 2,  // C1-A, C1-B; C1-C is registered after `to`
            "members": 6,  // M1 M2 M3 (retired, still active) M4 (moved to C1-B) M5 M6; M8 left for their residence
            "regularMeetings": 4,  // 01-20, 02-05, 02-06, 03-03; 03-04 is retracted; C2-A's is out of scope
            "thematicMeetings": 1,
            "cellsMeetingMonthly": 1,  // C1-A met in February and March
            "cellsMissingMeetings": [["cell": "C1-B", "missed": 1]],  // its March meeting was retracted
            "attendanceRate": .double(76.5),  // attendees 3+5+1+2+2 = 13, absentees 1+0+1+1+1 = 4: 13/17 = 76.47
            "speakerRate": .double(53.8),  // speakers 1+2+1+1+2 = 7: 7/13 = 53.85
            "averageDurationMinutes": .double(96.0),  // (90+120+60+90+120)/5
            "minutesRecordedRate": .double(80.0),  // 4 of 5
            "inspectedCells": 1, "inspections": 1,  // I2 (C1-B); I4 names only the committee C1; I3 is C2's
            "supervisedCells": 1, "supervisions": 1,  // I1 names C1-A (and C2-A, out of scope)
            "disciplines": ["reprimand": 1, "warning": 1],  // D1 on M2 of C1-A, D2 on C1-B; D3 is in C2
            "retireesPendingTransfer": ["M3"],
            "membersWithoutTask": ["M2", "M3", "M4", "M6"],  // M2's task is after `to`, M6's was retracted
        ])
    }

    /// Exactly February, one cell: M4 left on the 20th; M8 retired on the 1st and is still pending.
    @Test func cellOverOneMonth() {
        expect(scenario.model.expectedReport(org: "C1-A", from: "2025-02-01", to: "2025-02-28"), [
            "organization": "C1-A", "from": "2025-02-01", "to": "2025-02-28",
            "cells": 1, "members": 4, "regularMeetings": 1, "thematicMeetings": 0,
            "cellsMeetingMonthly": 1, "cellsMissingMeetings": [],
            "attendanceRate": .double(100.0), "speakerRate": .double(40.0),
            "averageDurationMinutes": .double(120.0), "minutesRecordedRate": .double(100.0),
            "inspectedCells": 0, "supervisedCells": 0, "inspections": 0, "supervisions": 0, "disciplines": [:],
            "retireesPendingTransfer": ["M8"], "membersWithoutTask": ["M2", "M3", "M8"],
        ])
    }

    /// The whole bloc, January to April: four whole months; C2-B was dissolved inside the period, so it counts.
    @Test func blocOverFourMonths() {
        expect(scenario.model.expectedReport(org: "B", from: "2025-01-01", to: "2025-04-30"), [
            "organization": "B", "from": "2025-01-01", "to": "2025-04-30",
            "cells": 5,  // C1-A C1-B C1-C (registered 04-26) C2-A C2-B (dissolved 02-10, after `from`)
            "members": 6,  // M7 was expelled, M8 transferred to residence
            "regularMeetings": 5, "thematicMeetings": 1, "cellsMeetingMonthly": 0,
            "cellsMissingMeetings": [  // met: C1-A Jan Feb Mar; C1-B Feb; C2-A Feb
                ["cell": "C1-A", "missed": 1], ["cell": "C1-B", "missed": 3], ["cell": "C1-C", "missed": 4],
                ["cell": "C2-A", "missed": 3], ["cell": "C2-B", "missed": 4],
            ],
            "attendanceRate": .double(77.8),  // 14 / 18
            "speakerRate": .double(57.1),  // 8 / 14
            "averageDurationMinutes": .double(96.7),  // 580 / 6 = 96.67
            "minutesRecordedRate": .double(83.3),  // 5 / 6
            "inspectedCells": 2, "inspections": 2,  // I2 (C1-B), I3 (C2-A); I4 names no cell
            "supervisedCells": 2, "supervisions": 1,  // I1 names C1-A and C2-A
            "disciplines": ["reprimand": 1, "warning": 1, "expulsion": 1],
            "retireesPendingTransfer": ["M3"],
            "membersWithoutTask": ["M3", "M4", "M6"],  // M2's task of 04-25 is now before `to`
        ])
    }

    /// A cell dissolved before `from` is out of scope; one dissolved on `from` is in.
    @Test func dissolvedCellsScope() {
        #expect(scenario.model.expectedReport(org: "C2", from: "2025-02-11", to: "2025-02-28")["cells"] == 1)
        #expect(scenario.model.expectedReport(org: "C2", from: "2025-02-10", to: "2025-02-28")["cells"] == 2)
        #expect(scenario.model.expectedReport(org: "C2", from: "2024-01-01", to: "2025-01-01")["cells"] == 0)
    }

    /// The state on `to` before and after the transfer of M4 (2025-02-20) and the expulsion of M7 (2025-04-15).
    @Test func stateOnTheLastDay() {
        let before = scenario.model.expectedReport(org: "C1-B", from: "2025-02-19", to: "2025-02-19")
        let after = scenario.model.expectedReport(org: "C1-B", from: "2025-02-20", to: "2025-02-20")
        #expect(before["members"] == 2 && after["members"] == 3)
        #expect(scenario.model.expectedReport(org: "C2-A", from: "2025-04-14", to: "2025-04-14")["members"] == 1)
        #expect(scenario.model.expectedReport(org: "C2-A", from: "2025-04-15", to: "2025-04-15")["members"] == 0)
        // No whole month in a one-day period: every cell meets "every month".
        #expect(before["cellsMeetingMonthly"] == 1 && before["cellsMissingMeetings"] == [])
    }

    @Test func requestsItCannotAnswer() {
        #expect(scenario.model.expectedReport(org: "NOPE", from: "2025-01-01", to: "2025-12-31") == .null)
        #expect(scenario.model.expectedReport(org: "C1", from: "2025-02-30", to: "2025-12-31") == .null)
        #expect(scenario.model.expectedReport(org: "C1", from: "2025-12-31", to: "2025-01-01") == .null)
    }

    @Test func modelCodes() {
        #expect(scenario.model.blocCode == "B")
        #expect(scenario.model.committeeCodes == ["C1", "C2"])
        #expect(scenario.model.cellCodes == ["C1-A", "C1-B", "C2-A", "C2-B", "C1-C"])
        #expect(scenario.model.eventCount == scenario.events.count)
        #expect(scenario.model.firstDate == "2025-01-02" && scenario.model.lastDate == "2025-04-26")
    }
}

@Suite struct RoundingTests {
    @Test func percentRoundsHalfAwayFromZero() {
        #expect(DemoModel.percent(1, of: 8) == .double(12.5))
        #expect(DemoModel.percent(1, of: 16) == .double(6.3))  // 6.25
        #expect(DemoModel.percent(2, of: 3) == .double(66.7))
        #expect(DemoModel.percent(1, of: 3) == .double(33.3))
        #expect(DemoModel.percent(1, of: 6) == .double(16.7))
        #expect(DemoModel.percent(1, of: 2000) == .double(0.1))  // 0.05
        #expect(DemoModel.percent(1, of: 2001) == .double(0.0))  // 0.04998
        #expect(DemoModel.percent(5, of: 5) == .double(100.0))
        #expect(DemoModel.percent(0, of: 0) == .double(0))
    }

    @Test func averageRoundsToOneDecimal() {
        #expect(DemoModel.oneDecimal(580, over: 6) == .double(96.7))
        #expect(DemoModel.oneDecimal(181, over: 2) == .double(90.5))
        #expect(DemoModel.oneDecimal(1, over: 20) == .double(0.1))  // 0.05
        #expect(DemoModel.oneDecimal(7, over: 0) == .double(0))
    }

    @Test func comparisonTreatsNumbersByValue() {
        let expected: JSONValue = ["attendanceRate": .double(75.0), "cells": 2, "disciplines": ["warning": 1]]
        let actual: JSONValue = ["attendanceRate": 75, "cells": 2, "disciplines": ["warning": 1, "dismissal": 0], "extra": true]
        #expect(DemoReportComparison.differences(expected: expected, actual: actual).isEmpty)
        let wrong: JSONValue = ["attendanceRate": .double(75.1), "disciplines": [:]]
        #expect(DemoReportComparison.differences(expected: expected, actual: wrong).count == 3)
    }
}

@Suite struct ModelQueryTests {
    let model = Scenario.build().model

    @Test func membersBeforeAndAfterATransfer() {
        #expect(model.cell(ofMember: "M4", on: "2025-02-19") == "C1-A")
        #expect(model.cell(ofMember: "M4", on: "2025-02-20") == "C1-B")
        #expect(model.cell(ofMember: "M4", on: "2025-01-01") == nil)
        #expect(model.activeMembers(of: "C1-B", on: "2025-02-19") == ["M5", "M6"])
        #expect(model.activeMembers(of: "C1-B", on: "2025-02-20") == ["M4", "M5", "M6"])
        #expect(model.activeMembers(of: "C1", on: "2025-02-28") == ["M1", "M2", "M3", "M4", "M5", "M6", "M8"])
        #expect(model.activeMembers(of: "C1", on: "2025-03-01") == ["M1", "M2", "M3", "M4", "M5", "M6"])
    }

    @Test func membersWhoLeft() {
        #expect(model.isActive(member: "M7", on: "2025-04-14"))
        #expect(!model.isActive(member: "M7", on: "2025-04-15"))  // expelled
        #expect(model.isActive(member: "M3", on: "2025-04-30"))  // retired, not transferred
        #expect(!model.isActive(member: "M8", on: "2025-03-01"))  // transferred to residence
        #expect(model.cell(ofMember: "M8", on: "2025-12-31") == "C1-A")
        #expect(!model.isActive(member: "NOPE", on: "2025-03-01"))
    }
}
