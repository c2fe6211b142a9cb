import LedgerDomain
import LedgerJSON

/// The contract's report (CONTRACT.md, "Reports") for the cells under an
/// organization over [from, to], from the state and the meetings index.
///
/// Definitions, exactly: cells in scope are the cells at or under the
/// organization registered on or before `to` and not dissolved before `from`;
/// only events with occurredOn in [from, to] count, retracted ones never (the
/// state and the index drop them); months are the calendar months wholly inside
/// the period; rates are percentages rounded half away from zero to one
/// decimal, 0 when the denominator is 0; lists are sorted by id.
/// Besides the contract's keys it adds what the Vietnamese text needs:
/// `organizationName`, `months`, `cellNames`, `memberNames`, `perCell`.
struct CommitteeReport {
    let context: QueryContext
    let root: String
    let from: BusinessDate
    let to: BusinessDate

    private var state: DomainState { context.state }

    func build() throws -> JSONValue {
        guard let rootOrg = state.organizations[root] else { throw EngineError(.notFound, "no organization '\(root)'") }
        let cells = state.subtree(of: root).compactMap { state.organizations[$0] }.filter { org in
            org.kind == .cell && Self.stood(org, from: from, to: to)
        }.sorted { $0.code < $1.code }
        let inScope = Set(cells.map(\.code))
        var perCell: [String: CellFigures] = Dictionary(uniqueKeysWithValues: cells.map { ($0.code, CellFigures()) })

        // Members on `to`.
        var members = 0
        var retirees: [String] = [], withoutTask: [String] = []
        var memberNames: [String: JSONValue] = [:]
        for member in state.members.values {
            guard let then = to >= member.lastStandingChangeOn ? member : member.standing(on: to),
                  then.registeredOn <= to, then.isActive, let cell = perCell.index(forKey: then.cell)
            else { continue }
            members += 1
            perCell.values[cell].members += 1
            if let retired = then.retiredOn, retired <= to {
                retirees.append(member.id)
                memberNames[member.id] = .string(member.name)
            }
            if !member.hasTask(assignedOnOrBefore: to) {
                withoutTask.append(member.id)
                memberNames[member.id] = .string(member.name)
            }
        }

        // Meetings.
        let months = Self.wholeMonths(from: from, to: to)
        var totals = CellFigures()
        var monthly = 0
        var missing: [JSONValue] = []
        for cell in cells {
            var figures = perCell[cell.code] ?? CellFigures()
            var met = Set<Int>()
            for row in try context.meetingRows(cell: cell.code, from: from, to: to) {
                figures.add(row)
                if !row.thematic { met.insert(row.day.year * 12 + row.day.month - 1) }
            }
            figures.monthsMissed = months.filter { !met.contains($0) }.count
            if figures.monthsMissed == 0 {
                monthly += 1
            } else {
                missing.append(.object(["cell": .string(cell.code), "missed": .int(Int64(figures.monthsMissed))]))
            }
            totals.merge(figures)
            perCell[cell.code] = figures
        }

        // Inspections and supervisions filed in the period naming a cell in scope.
        var inspected = Set<String>(), supervised = Set<String>()
        var inspections = 0, supervisions = 0
        for inspection in state.inspections.values where inspection.filedOn >= from && inspection.filedOn <= to {
            let named = inspection.targetOrganizations.filter { inScope.contains($0) }
            guard !named.isEmpty else { continue }
            if inspection.kind == .supervision {
                supervisions += 1
                supervised.formUnion(named)
            } else {
                inspections += 1
                inspected.formUnion(named)
            }
        }

        // Discipline imposed in the period on members of cells in scope (their
        // cell on that day) or on organizations in scope.
        var forms: [String: Int64] = [:]
        for discipline in state.disciplines.values where discipline.imposedOn >= from && discipline.imposedOn <= to {
            let cell: String?
            switch discipline.subject {
            case .organization(let code): cell = code
            case .member(let id): cell = state.members[id]?.standing(on: discipline.imposedOn)?.cell
            }
            if let cell, inScope.contains(cell) { forms[discipline.form.rawValue, default: 0] += 1 }
        }

        let held = totals.regular + totals.thematic
        let cellRows: [JSONValue] = cells.map { cell in
            let f = perCell[cell.code] ?? CellFigures()
            return .object([
                "cell": .string(cell.code), "name": .string(cell.name), "members": .int(Int64(f.members)),
                "regularMeetings": .int(Int64(f.regular)), "thematicMeetings": .int(Int64(f.thematic)),
                "monthsMissed": .int(Int64(f.monthsMissed)),
                "attendanceRate": Self.percent(f.attendees, of: f.attendees + f.absentees),
                "inspected": .bool(inspected.contains(cell.code)), "supervised": .bool(supervised.contains(cell.code)),
            ])
        }
        return .object([
            "organization": .string(root), "from": .string(from.description), "to": .string(to.description),
            "cells": .int(Int64(cells.count)), "members": .int(Int64(members)),
            "regularMeetings": .int(Int64(totals.regular)), "thematicMeetings": .int(Int64(totals.thematic)),
            "cellsMeetingMonthly": .int(Int64(monthly)), "cellsMissingMeetings": .array(missing),
            "attendanceRate": Self.percent(totals.attendees, of: totals.attendees + totals.absentees),
            "speakerRate": Self.percent(totals.speakers, of: totals.attendees),
            "averageDurationMinutes": Self.oneDecimal(totals.duration, over: held),
            "minutesRecordedRate": Self.percent(totals.minutes, of: held),
            "inspectedCells": .int(Int64(inspected.count)), "supervisedCells": .int(Int64(supervised.count)),
            "inspections": .int(Int64(inspections)), "supervisions": .int(Int64(supervisions)),
            "disciplines": .object(forms.mapValues { .int($0) }),
            "retireesPendingTransfer": .array(retirees.sorted().map { .string($0) }),
            "membersWithoutTask": .array(withoutTask.sorted().map { .string($0) }),
            "organizationName": .string(rootOrg.name), "months": .int(Int64(months.count)),
            "cellNames": .object(Dictionary(uniqueKeysWithValues: cells.map { ($0.code, JSONValue.string($0.name)) })),
            "memberNames": .object(memberNames), "perCell": .array(cellRows),
        ])
    }

    /// Whether `org` is in scope: registered on or before `to` and not
    /// dissolved before `from` (CONTRACT.md), where "dissolved" is judged by
    /// the organization's history as the ledger tells it now. A dissolution
    /// later annulled or reduced (a `reinstated` entry) leaves the
    /// organization dissolved until the day of that revision: it is in scope
    /// if it stood, registered and not dissolved, on some day of the period.
    static func stood(_ org: Organization, from: BusinessDate, to: BusinessDate) -> Bool {
        guard org.registeredOn <= to else { return false }
        let everReinstated = org.timeline.contains { if case .reinstated = $0.change { true } else { false } }
        guard everReinstated else { return !(org.dissolution.map { $0.on < from } ?? false) }
        // Its standing the day before the period and on each day of the
        // period its history changes: one of them not dissolved before
        // `from` means it stood on a day of the period.
        var days = [BusinessDate(dayNumber: from.dayNumber - 1)]
        days += org.timeline.lazy.filter { $0.occurredOn >= from && $0.occurredOn <= to }.map(\.occurredOn)
        return days.contains { day in
            guard let then = org.standing(on: day) else { return false }
            return then.dissolution.map { $0.on >= from } ?? true
        }
    }

    /// Meeting figures of one cell (or of all).
    struct CellFigures {
        var members = 0, regular = 0, thematic = 0, attendees = 0, absentees = 0, speakers = 0, minutes = 0, duration = 0
        var monthsMissed = 0

        mutating func add(_ row: MeetingRow) {
            if row.thematic { thematic += 1 } else { regular += 1 }
            attendees += row.attendees
            absentees += row.absentees
            speakers += row.speakers
            duration += row.durationMinutes
            if row.minutesRecorded { minutes += 1 }
        }

        mutating func merge(_ other: CellFigures) {
            regular += other.regular
            thematic += other.thematic
            attendees += other.attendees
            absentees += other.absentees
            speakers += other.speakers
            minutes += other.minutes
            duration += other.duration
        }
    }

    /// Month keys (year·12 + month − 1) of the calendar months wholly inside [from, to].
    static func wholeMonths(from: BusinessDate, to: BusinessDate) -> [Int] {
        let first = from.year * 12 + from.month - 1, last = to.year * 12 + to.month - 1
        guard first <= last else { return [] }
        return (first...last).filter { key in
            let year = key / 12, month = key % 12 + 1
            guard let start = BusinessDate(year: year, month: month, day: 1) else { return false }
            // From the month's own length: the next month's first day may lie past the calendar's end (2200).
            let end = BusinessDate(dayNumber: start.dayNumber + Int32(BusinessDate.daysIn(month: month, year: year)) - 1)
            return start >= from && end <= to
        }
    }

    /// 100 · part / whole, rounded half away from zero to one decimal; 0 when whole is 0.
    static func percent(_ part: Int, of whole: Int) -> JSONValue {
        guard whole > 0 else { return .double(0) }
        return .double(Double((2000 * part + whole) / (2 * whole)) / 10)
    }

    /// total / count rounded half away from zero to one decimal; 0 when count is 0.
    static func oneDecimal(_ total: Int, over count: Int) -> JSONValue {
        guard count > 0 else { return .double(0) }
        return .double(Double((20 * total + count) / (2 * count)) / 10)
    }
}

extension QueryContext {
    func report(org: String, from: String, to: String, format: String) throws -> JSONValue {
        let fromDate = try QueryRequest.businessDate(from, "from"), toDate = try QueryRequest.businessDate(to, "to")
        let report = try CommitteeReport(context: self, root: try self.org(org).code, from: fromDate, to: toDate).build()
        switch format {
        case "text": return .object(["text": .string(ReportRenderer.text(report))])
        case "markdown": return .object(["text": .string(ReportRenderer.markdown(report))])
        case "csv": return .object(["text": .string(ReportRenderer.csv(report))])
        default: return report
        }
    }
}
