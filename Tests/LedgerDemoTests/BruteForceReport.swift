import LedgerJSON

/// A second, independent computation of the contract's report straight from
/// a generated stream (which is in date order): replay the rules checker up to
/// `to` for the state on `to`, and scan the events of the period for the rest.
/// Simple and slow; used to check `DemoModel` on generated data.
enum BruteForceReport {
    /// The seqs the whole stream retracts.
    static func retracted(_ events: [JSONValue]) -> Set<Int> {
        var everything = RulesChecker()
        everything.check(events)
        return everything.retracted
    }

    static func report(_ events: [JSONValue], retracted: Set<Int>, org: String, from: String, to: String) -> JSONValue {
        var state = RulesChecker()
        var dissolvedOn: [String: String] = [:]
        var registeredOn: [String: String] = [:]
        var inPeriod: [(seq: Int, event: JSONValue, cellOfSubject: String?)] = []
        for (index, event) in events.enumerated() {
            let date = event["occurredOn"]!.stringValue!
            guard date <= to else { break }
            let data = event["data"]!
            let type = event["type"]!.stringValue!
            if type == "OrganizationRegistered" { registeredOn[data["code"]!.stringValue!] = date }
            if type == "OrganizationDissolved" { dissolvedOn[data["code"]!.stringValue!] = date }
            if date >= from, !retracted.contains(index + 1) {
                let subject = data["subject"]?.stringValue
                let cell = data["subjectKind"]?.stringValue == "member" ? subject.flatMap { state.members[$0]?.cell } : subject
                inPeriod.append((index + 1, event, cell))
            }
            state.check(event)
        }
        let cells = Set(state.orgs.filter { code, candidate in
            candidate.kind == "cell" && state.isWithin(code, org) && registeredOn[code]! <= to && (dissolvedOn[code] ?? "9999") >= from
        }.keys)
        let active = state.members.filter { $0.value.active && cells.contains($0.value.cell) }

        var regular = 0, thematic = 0, attendees = 0, absentees = 0, speakers = 0, minutes = 0, duration = 0
        var met: Set<String> = []  // "cell yyyy-mm"
        var inspected: Set<String> = [], supervised: Set<String> = []
        var inspections = 0, supervisions = 0
        var forms: [String: Int64] = [:]
        for (_, event, subjectCell) in inPeriod {
            let data = event["data"]!
            switch event["type"]!.stringValue! {
            case "MeetingHeld" where cells.contains(data["cell"]!.stringValue!):
                if data["kind"] == "regular" {
                    regular += 1
                    met.insert(data["cell"]!.stringValue! + " " + event["occurredOn"]!.stringValue!.prefix(7))
                } else {
                    thematic += 1
                }
                attendees += data["attendees"]!.arrayValue!.count
                absentees += data["absentees"]!.arrayValue!.count
                speakers += data["speakers"]!.arrayValue!.count
                duration += Int(data["durationMinutes"]!.intValue!)
                if data["minutesRecorded"] == true { minutes += 1 }
            case "InspectionFiled":
                let named = data["targetOrganizations"]!.arrayValue!.map { $0.stringValue! }.filter(cells.contains)
                guard !named.isEmpty else { break }
                if data["kind"] == "supervision" {
                    supervisions += 1
                    supervised.formUnion(named)
                } else {
                    inspections += 1
                    inspected.formUnion(named)
                }
            case "DisciplineImposed":
                if let subjectCell, cells.contains(subjectCell) { forms[data["form"]!.stringValue!, default: 0] += 1 }
            default: break
            }
        }
        let months = wholeMonths(from: from, to: to)
        var missing: [JSONValue] = []
        for cell in cells.sorted() {
            let missed = months.filter { !met.contains("\(cell) \($0)") }.count
            if missed > 0 { missing.append(["cell": .string(cell), "missed": .int(Int64(missed))]) }
        }
        func rate(_ part: Int, _ whole: Int) -> JSONValue {
            whole == 0 ? .double(0) : .double((Double(part) * 1000 / Double(whole)).rounded(.toNearestOrAwayFromZero) / 10)
        }
        let held = regular + thematic
        let retirees = active.filter { $0.value.retired }.keys.sorted()
        let withoutTask = active.filter { $0.value.taskSeqs.allSatisfy(retracted.contains) }.keys.sorted()
        return [
            "organization": .string(org), "from": .string(from), "to": .string(to),
            "cells": .int(Int64(cells.count)), "members": .int(Int64(active.count)),
            "regularMeetings": .int(Int64(regular)), "thematicMeetings": .int(Int64(thematic)),
            "cellsMeetingMonthly": .int(Int64(cells.count - missing.count)), "cellsMissingMeetings": .array(missing),
            "attendanceRate": rate(attendees, attendees + absentees), "speakerRate": rate(speakers, attendees),
            "averageDurationMinutes": held == 0 ? .double(0) : .double((Double(duration) * 10 / Double(held)).rounded(.toNearestOrAwayFromZero) / 10),
            "minutesRecordedRate": rate(minutes, held),
            "inspectedCells": .int(Int64(inspected.count)), "supervisedCells": .int(Int64(supervised.count)),
            "inspections": .int(Int64(inspections)), "supervisions": .int(Int64(supervisions)),
            "disciplines": .object(forms.mapValues { .int($0) }),
            "retireesPendingTransfer": .array(retirees.map(JSONValue.string)),
            "membersWithoutTask": .array(withoutTask.map(JSONValue.string)),
        ]
    }

    /// "yyyy-mm" of the months lying wholly inside [from, to].
    static func wholeMonths(from: String, to: String) -> [String] {
        var months: [String] = []
        var year = Int(from.prefix(4))!, month = Int(from.dropFirst(5).prefix(2))!
        while true {
            let key = String(format: "%04d-%02d", year, month)
            guard key <= String(to.prefix(7)) else { break }
            let last = [31, (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
            if "\(key)-01" >= from && String(format: "%@-%02d", key, last) <= to { months.append(key) }
            month += 1
            if month == 13 { month = 1; year += 1 }
        }
        return months
    }
}
