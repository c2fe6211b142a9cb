public import LedgerJSON

/// A cell's meeting (sinh hoạt chi bộ). A leaf event: nothing depends on it.
/// Decoding refuses duplicates inside `attendees` and `speakers`, empty
/// `attendees`, and `durationMinutes` outside 1...720; `MeetingRules` checks
/// the rest (absentee duplicates, overlaps, speakers attend, membership).
public struct MeetingHeld: EventPayload {
    public struct Absentee: Sendable, Hashable {
        public var memberId: String
        public var reason: String

        public init(memberId: String, reason: String) {
            self.memberId = memberId
            self.reason = reason
        }
    }

    public var cell: String
    public var kind: MeetingKind
    public var topic: String?
    public var durationMinutes: Int
    public var attendees: [String]
    public var absentees: [Absentee]
    public var speakers: [String]
    public var minutesRecorded: Bool
    public var resolutions: [String]?

    public init(
        cell: String, kind: MeetingKind, topic: String? = nil, durationMinutes: Int, attendees: [String],
        absentees: [Absentee] = [], speakers: [String] = [], minutesRecorded: Bool, resolutions: [String]? = nil
    ) {
        self.cell = cell
        self.kind = kind
        self.topic = topic
        self.durationMinutes = durationMinutes
        self.attendees = attendees
        self.absentees = absentees
        self.speakers = speakers
        self.minutesRecorded = minutesRecorded
        self.resolutions = resolutions
    }

    static let eventType = EventType.meetingHeld
    static let fields = [
        "cell", "kind", "topic", "durationMinutes", "attendees", "absentees", "speakers", "minutesRecorded",
        "resolutions",
    ]

    init(reading r: FieldReader) throws(DomainError) {
        cell = try r.id("cell")
        kind = try r.enumeration("kind", MeetingKind.self)
        topic = try r.optionalText("topic")
        durationMinutes = Int(
            try r.int(
                "durationMinutes",
                Int64(DomainLimits.meetingMinutesMin)...Int64(DomainLimits.meetingMinutesMax)))
        attendees = try r.idList("attendees", nonEmpty: true)
        var absentees: [Absentee] = []
        for item in try r.list("absentees") {
            let a = try FieldReader(item.value, path: item.path, allowed: ["memberId", "reason"])
            absentees.append(Absentee(memberId: try a.id("memberId"), reason: try a.text("reason")))
        }
        self.absentees = absentees
        speakers = try r.idList("speakers", nonEmpty: false)
        minutesRecorded = try r.bool("minutesRecorded")
        if let items = try r.optionalList("resolutions") {
            resolutions = try Decode.textList(items, name: false)
        } else {
            resolutions = nil
        }
    }

    public var data: JSONValue {
        var d = DataObject()
        d["cell"] = cell
        d.set("kind", kind)
        d["topic"] = topic
        d.set("durationMinutes", durationMinutes)
        d.set("attendees", strings: attendees)
        d.set(
            "absentees",
            JSONValue.array(absentees.map { .object(["memberId": .string($0.memberId), "reason": .string($0.reason)]) }))
        d.set("speakers", strings: speakers)
        d.set("minutesRecorded", minutesRecorded)
        d.set("resolutions", strings: resolutions)
        return d.json
    }

    var event: DomainEvent { .meetingHeld(self) }
}
