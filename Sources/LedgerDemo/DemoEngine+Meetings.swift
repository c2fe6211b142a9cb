import LedgerJSON

// Cell meetings: attendance from the cell's working members on the day,
// a few absentees with reasons, speakers among the attendees, a duration that
// follows Hướng dẫn 42-HD/BTCTW (at least 90 minutes from 2025-10-28) for
// most meetings after that date.
extension DemoEngine {
    /// 2025-10-28, from which meetings should last at least 90 minutes.
    static let longMeetingsFrom = DemoCalendar.day(year: 2025, month: 10, day: 28)

    func holdMeeting(_ cell: Int32, regular: Bool) {
        guard !orgs[Int(cell)].dissolved else { return }
        let roster = workingMembers(of: cell)
        guard !roster.isEmpty else { return }
        var attendees: [Int32] = []
        var absentees: [JSONValue] = []
        for member in roster {
            if random.chance(perMille: 70) {
                absentees.append(["memberId": memberId(member), "reason": .string(random.pick(DemoVocabulary.absenceReasons))])
            } else {
                attendees.append(member)
            }
        }
        if attendees.isEmpty {
            attendees.append(roster[0])
            absentees.removeFirst()
        }
        let secretary = orgs[Int(cell)].seats.first { $0.role == .secretary }?.holder ?? -1
        var speakers = attendees.filter { $0 == secretary || random.chance(perMille: 350) }
        if speakers.isEmpty { speakers = [attendees[0]] }

        let (year, month, _) = DemoCalendar.civil(today)
        var data: [String: JSONValue] = [
            "cell": code(cell),
            "kind": regular ? "regular" : "thematic",
            "durationMinutes": .int(Int64(meetingDuration(regular: regular))),
            "attendees": .array(attendees.map(memberId)),
            "absentees": .array(absentees),
            "speakers": .array(speakers.map(memberId)),
            "minutesRecorded": .bool(random.chance(perMille: 960)),
        ]
        if regular {
            if random.chance(perMille: 900) {
                data["topic"] = .string("Sinh hoạt chi bộ định kỳ tháng \(month)/\(year): \(random.pick(DemoVocabulary.regularFocus))")
            }
        } else {
            data["topic"] = .string(random.pick(DemoVocabulary.thematicTopics))
        }
        if random.chance(perMille: 800) {
            let resolutions = random.sample(DemoVocabulary.resolutions, count: random.int(in: 1...3))
            data["resolutions"] = .array(resolutions.map { .string($0) })
        }
        emitRetractable("MeetingHeld", data, what: .meeting, subject: cell)
    }

    /// Minutes, in steps of 5: 60–150 before 2025-10-28; afterwards mostly 90–180.
    private func meetingDuration(regular: Bool) -> Int {
        if today >= Self.longMeetingsFrom {
            if random.chance(perMille: 100) { return 5 * random.int(in: 12...17) }
            return 5 * random.int(in: 18...(regular ? 30 : 36))
        }
        return 5 * random.int(in: 12...(regular ? 24 : 30))
    }
}
