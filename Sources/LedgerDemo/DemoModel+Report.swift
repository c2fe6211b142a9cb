public import LedgerJSON

// The contract's report (CONTRACT.md, "Reports"), computed from the model's
// facts by a plain scan — clarity over speed; this is the oracle.
//
// Decisions where the contract leaves room (each also in docs of the API):
// - Rates are percentages rounded to one decimal, half away from zero on the
//   exact decimal value (computed in integers, so 2/3 → 66.7 and 1/8 → 12.5),
//   and returned as `.double`; `averageDurationMinutes` likewise. A rate or
//   average with a zero denominator is `.double(0)`.
// - "Active" is the domain's sense: joined, and not removed, expelled or
//   transferred to residence. A retired member stays active until transferred.
// - A member's cell on a date is the cell of their last registration or
//   transfer dated on or before it (both transfer kinds move the member).
// - A discipline on a member counts if the member's cell on the discipline's
//   date is in scope; on an organization, if it is a cell in scope.
// - `cellsMeetingMonthly` / `cellsMissingMeetings` count every month wholly
//   inside the period for every cell in scope, as the contract's words say
//   (also months before a cell was registered or after it was dissolved);
//   with no whole month, every cell in scope meets "every month".
// - `disciplines` lists only the forms that occur.
// - `retireesPendingTransfer` lists members active on `to` (so not deceased).
extension DemoModel {
    /// The report for an organization code and a period (`YYYY-MM-DD`,
    /// inclusive), with exactly the keys of CONTRACT.md's Reports section; `.null`
    /// if the code is unknown, a date is invalid, or `from` is after `to`.
    public func expectedReport(org code: String, from: String, to: String) -> JSONValue {
        guard let root = orgIndex[code], let fromDay = DemoCalendar.parse(from), let toDay = DemoCalendar.parse(to),
            fromDay <= toDay
        else { return .null }
        let period = Int32(fromDay)...Int32(toDay)
        let inScope = cellsInScope(root: root, period: period)
        let scopedCells = orgs.indices.filter { inScope[$0] }.sorted { orgs[$0].code < orgs[$1].code }

        var report: [String: JSONValue] = [
            "organization": .string(code), "from": .string(from), "to": .string(to),
            "cells": .int(Int64(scopedCells.count)),
        ]
        addMemberFigures(to: &report, inScope: inScope, on: period.upperBound)
        addMeetingFigures(to: &report, inScope: inScope, scopedCells: scopedCells, period: period)
        addOversightFigures(to: &report, inScope: inScope, period: period)
        return .object(report)
    }

    // MARK: Scope and state on a date

    func live(_ stamp: Stamp) -> Bool { !retracted.contains(stamp.seq) }

    /// Whether any live fact of the list is dated on or before `day`.
    func happened(_ stamps: [Stamp], by day: Int32) -> Bool {
        stamps.contains { $0.day <= day && live($0) }
    }

    /// Cells under `root` (or `root` itself), registered by the end of the period and not dissolved before it.
    func cellsInScope(root: Int32, period: ClosedRange<Int32>) -> [Bool] {
        orgs.indices.map { index in
            let org = orgs[index]
            guard org.isCell, live(org.registered), org.registered.day <= period.upperBound,
                !happened(org.dissolved, by: period.lowerBound - 1)
            else { return false }
            var cursor = Int32(index)
            while cursor >= 0 {
                if cursor == root { return true }
                cursor = orgs[Int(cursor)].parent
            }
            return false
        }
    }

    /// The member's cell on `day` (nil if they had not joined by then).
    func cell(of member: Member, on day: Int32) -> Int32? {
        member.cells.last { $0.stamp.day <= day && live($0.stamp) }?.cell
    }

    func isActive(_ member: Member, on day: Int32) -> Bool {
        live(member.joined) && member.joined.day <= day && !happened(member.left, by: day)
    }

    // MARK: Figures

    private func addMemberFigures(to report: inout [String: JSONValue], inScope: [Bool], on day: Int32) {
        var active = 0
        var retirees: [String] = []
        var withoutTask: [String] = []
        for member in members where isActive(member, on: day) {
            guard let cell = cell(of: member, on: day), inScope[Int(cell)] else { continue }
            active += 1
            if happened(member.retired, by: day) { retirees.append(member.id) }
            if !happened(member.tasks, by: day) { withoutTask.append(member.id) }
        }
        report["members"] = .int(Int64(active))
        report["retireesPendingTransfer"] = .array(retirees.sorted().map { .string($0) })
        report["membersWithoutTask"] = .array(withoutTask.sorted().map { .string($0) })
    }

    private func addMeetingFigures(
        to report: inout [String: JSONValue], inScope: [Bool], scopedCells: [Int], period: ClosedRange<Int32>
    ) {
        let months = DemoModel.wholeMonths(in: period)
        var regular = 0, thematic = 0, attendees = 0, absentees = 0, speakers = 0, minutes = 0, duration = 0
        var metIn: [Int32: Set<Int>] = [:]
        for meeting in meetings where period.contains(meeting.stamp.day) && inScope[Int(meeting.cell)] && live(meeting.stamp) {
            if meeting.regular {
                regular += 1
                metIn[meeting.cell, default: []].insert(DemoCalendar.monthKey(Int(meeting.stamp.day)))
            } else {
                thematic += 1
            }
            attendees += Int(meeting.attendees)
            absentees += Int(meeting.absentees)
            speakers += Int(meeting.speakers)
            duration += Int(meeting.durationMinutes)
            if meeting.minutesRecorded { minutes += 1 }
        }
        var monthly = 0
        var missing: [JSONValue] = []
        for cell in scopedCells {
            let met = metIn[Int32(cell)] ?? []
            let missed = months.filter { !met.contains($0) }.count
            if missed == 0 {
                monthly += 1
            } else {
                missing.append(["cell": .string(orgs[cell].code), "missed": .int(Int64(missed))])
            }
        }
        let held = regular + thematic
        report["regularMeetings"] = .int(Int64(regular))
        report["thematicMeetings"] = .int(Int64(thematic))
        report["cellsMeetingMonthly"] = .int(Int64(monthly))
        report["cellsMissingMeetings"] = .array(missing)
        report["attendanceRate"] = DemoModel.percent(attendees, of: attendees + absentees)
        report["speakerRate"] = DemoModel.percent(speakers, of: attendees)
        report["averageDurationMinutes"] = DemoModel.oneDecimal(duration, over: held)
        report["minutesRecordedRate"] = DemoModel.percent(minutes, of: held)
    }

    private func addOversightFigures(to report: inout [String: JSONValue], inScope: [Bool], period: ClosedRange<Int32>) {
        var inspected = Set<Int32>(), supervised = Set<Int32>()
        var inspectionCount = 0, supervisionCount = 0
        for inspection in inspections where period.contains(inspection.stamp.day) && live(inspection.stamp) {
            let named = inspection.targets.filter { inScope[Int($0)] }
            guard !named.isEmpty else { continue }
            if inspection.supervision {
                supervisionCount += 1
                supervised.formUnion(named)
            } else {
                inspectionCount += 1
                inspected.formUnion(named)
            }
        }
        var forms: [String: Int64] = [:]
        for discipline in disciplines where period.contains(discipline.stamp.day) && live(discipline.stamp) {
            let cell = discipline.onOrganization
                ? discipline.subject : cell(of: members[Int(discipline.subject)], on: discipline.stamp.day)
            if let cell, inScope[Int(cell)] { forms[discipline.form, default: 0] += 1 }
        }
        report["inspectedCells"] = .int(Int64(inspected.count))
        report["supervisedCells"] = .int(Int64(supervised.count))
        report["inspections"] = .int(Int64(inspectionCount))
        report["supervisions"] = .int(Int64(supervisionCount))
        report["disciplines"] = .object(forms.mapValues { .int($0) })
    }

    // MARK: Arithmetic

    /// Month keys of the calendar months lying wholly inside the period.
    static func wholeMonths(in period: ClosedRange<Int32>) -> [Int] {
        let first = DemoCalendar.monthKey(Int(period.lowerBound)), last = DemoCalendar.monthKey(Int(period.upperBound))
        return (first...last).filter { key in
            let bounds = DemoCalendar.bounds(monthKey: key)
            return bounds.first >= Int(period.lowerBound) && bounds.last <= Int(period.upperBound)
        }
    }

    /// 100 · part / whole, rounded half away from zero to one decimal; 0 when `whole` is 0.
    public static func percent(_ part: Int, of whole: Int) -> JSONValue {
        guard whole > 0 else { return .double(0) }
        return .double(Double((2000 * part + whole) / (2 * whole)) / 10)
    }

    /// total / count, rounded half away from zero to one decimal; 0 when `count` is 0.
    public static func oneDecimal(_ total: Int, over count: Int) -> JSONValue {
        guard count > 0 else { return .double(0) }
        return .double(Double((20 * total + count) / (2 * count)) / 10)
    }
}
