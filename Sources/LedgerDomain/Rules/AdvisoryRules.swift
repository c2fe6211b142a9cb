/// Advice about meetings: warnings attached to the accepted event, never refusals.
///
/// Rules change over time, so each rule set carries the date it took effect and
/// a meeting is judged by the set in effect on its date: a 2012 meeting by the
/// 2012 rules. To add a guideline, append a rule set with its effective date.
public struct AdvisoryRuleSet: Sendable, Hashable {
    /// The first business date the set applies to.
    public var effectiveFrom: BusinessDate
    /// Where the set comes from.
    public var source: String
    /// A meeting shorter than this (minutes) gets `meeting-too-short`; nil: no minimum.
    public var meetingMinutesMin: Int?
    /// A cell holding a meeting with fewer official members gets `cell-too-few-official-members`.
    public var cellOfficialMembersMin: Int?
    /// Whether every quarter needs a thematic meeting (`thematic-quarter-missed`).
    public var thematicMeetingEveryQuarter: Bool

    /// The sets, oldest first. The first one applies to every date before the second.
    ///
    /// - Điều lệ Đảng: a cell has at least three official members; thematic meetings at
    ///   least once a quarter (the project's reading of the Central Organization Commission's
    ///   guidance on cell meetings; its exact effective date is to be confirmed, so it is
    ///   applied to all dates).
    /// - Hướng dẫn 42-HD/BTCTW, effective 2025-10-28: a cell meeting lasts at least 90 minutes.
    public static let all: [AdvisoryRuleSet] = [
        AdvisoryRuleSet(
            effectiveFrom: BusinessDate(year: 1900, month: 1, day: 1)!,
            source: "Điều lệ Đảng; hướng dẫn sinh hoạt chi bộ",
            meetingMinutesMin: nil, cellOfficialMembersMin: 3, thematicMeetingEveryQuarter: true),
        AdvisoryRuleSet(
            effectiveFrom: BusinessDate(year: 2025, month: 10, day: 28)!,
            source: "Hướng dẫn 42-HD/BTCTW",
            meetingMinutesMin: 90, cellOfficialMembersMin: 3, thematicMeetingEveryQuarter: true),
    ]

    /// The set in effect on `date`.
    public static func inEffect(on date: BusinessDate) -> AdvisoryRuleSet {
        all.last { $0.effectiveFrom <= date } ?? all[0]
    }
}

extension DomainState {
    /// The warnings for a meeting that passed the rules (before it is applied).
    func meetingWarnings(_ e: MeetingHeld, on date: BusinessDate) -> [DomainWarning] {
        let rules = AdvisoryRuleSet.inEffect(on: date)
        var warnings: [DomainWarning] = []
        if let minimum = rules.meetingMinutesMin, e.durationMinutes < minimum {
            warnings.append(DomainWarning(
                .meetingTooShort,
                "the meeting lasted \(e.durationMinutes) minutes; \(rules.source) asks for at least \(minimum) (from \(rules.effectiveFrom))"))
        }
        if let minimum = rules.cellOfficialMembersMin {
            let count = officialMembers(ofCell: e.cell, on: date, participants: e.attendees + e.absentees.map(\.memberId),
                                        enough: minimum)
            if count < minimum {
                warnings.append(DomainWarning(
                    .cellTooFewOfficialMembers,
                    "cell '\(e.cell)' had \(count) official member\(count == 1 ? "" : "s") on \(date); a cell needs at least \(minimum)"))
            }
        }
        if rules.thematicMeetingEveryQuarter, let cell = organizations[e.cell] {
            let quarter = date.quarterIndex
            let previous = quarter - 1
            let firstOfQuarter = cell.meetingQuarters[quarter] == nil
            if firstOfQuarter, previous >= cell.firstFullQuarter, (cell.meetingQuarters[previous]?.thematic ?? 0) == 0 {
                let start = BusinessDate.firstDay(ofQuarter: previous)
                warnings.append(DomainWarning(
                    .thematicQuarterMissed,
                    "cell '\(e.cell)' held no thematic meeting in quarter \(previous % 4 + 1) of \(start.year); hold one every quarter"))
            }
        }
        return warnings
    }

    /// Official members active in `cell` on `date`: the cell's current members who
    /// were then, plus the meeting's participants (members who have left since).
    /// Counting stops at `enough` (the answer is then at least that): the
    /// participants, counted first, nearly always reach it, so a meeting does
    /// not look up everyone who was ever in its cell. `participants` holds each
    /// member once (the meeting rules refuse repeats before advice is given).
    func officialMembers(ofCell cell: String, on date: BusinessDate, participants: [String],
                         enough: Int = .max) -> Int {
        func wasOfficialHere(_ id: String) -> Bool {
            guard let then = members[id]?.standing(on: date) else { return false }
            return then.isActive && then.cell == cell && then.status == .official
        }
        var count = 0
        for id in participants where wasOfficialHere(id) {
            count += 1
            if count >= enough { return count }
        }
        let named = Set(participants)
        for id in membersByCell[cell] ?? [] where !named.contains(id) && wasOfficialHere(id) {
            count += 1
            if count >= enough { return count }
        }
        return count
    }
}
