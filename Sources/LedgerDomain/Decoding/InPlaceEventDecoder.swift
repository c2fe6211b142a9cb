/// Decodes the commonest stored events straight from the bytes of their
/// `data`, without building a JSON tree: a replay decodes every event of the
/// log, and meetings are most of them.
///
/// It reads only the plainest form (`PlainDataCursor`: canonical member
/// order, no escapes, text the general way keeps unchanged) and returns nil
/// for anything else: an event type it does not read, an older schema
/// version, an escape, a missing or unexpected member, a value out of its
/// limits. The caller then decodes the general way
/// (`StoredEventDecoder.decode`), which gives the event or the error. When
/// it returns an event, it is the event the general way returns (a
/// differential test holds the two together).
public enum InPlaceEventDecoder {
    /// The event, or nil: decode it the general way. `data` is the bytes of
    /// the record's `data` member.
    public static func decode(type: String, schemaVersion: Int, data: UnsafeRawBufferPointer) -> DomainEvent? {
        guard schemaVersion == StoredEventDecoder.currentSchemaVersion, data.count <= dataBytesMax else { return nil }
        switch type {
        case EventType.meetingHeld.rawValue: return meetingHeld(data).map(DomainEvent.meetingHeld)
        default: return nil
        }
    }

    /// The general parser's bound on a document (`JSONLimits.documentBytesMax`).
    static let dataBytesMax = 1 << 20

    /// `MeetingHeld`'s members in canonical (sorted) order: `absentees`,
    /// `attendees`, `cell`, `durationMinutes`, `kind`, `minutesRecorded`,
    /// `resolutions`?, `speakers`, `topic`?; the same checks as
    /// `MeetingHeld.init(reading:)`.
    static func meetingHeld(_ data: UnsafeRawBufferPointer) -> MeetingHeld? {
        var c = PlainDataCursor(data)
        guard c.take(UInt8(ascii: "{")), c.key("absentees"),
              let absentees = c.list({ (c: inout PlainDataCursor) -> MeetingHeld.Absentee? in
                  guard c.take(UInt8(ascii: "{")), c.key("memberId"), let id = c.id(), c.take(UInt8(ascii: ",")),
                        c.key("reason"), let reason = c.text(lengthMax: DomainLimits.textLengthMax),
                        c.take(UInt8(ascii: "}"))
                  else { return nil }
                  return MeetingHeld.Absentee(memberId: id, reason: reason)
              }),
              c.take(UInt8(ascii: ",")), c.key("attendees"), let attendees = c.idList(nonEmpty: true),
              c.take(UInt8(ascii: ",")), c.key("cell"), let cell = c.id(),
              c.take(UInt8(ascii: ",")), c.key("durationMinutes"),
              let duration = c.int(Int64(DomainLimits.meetingMinutesMin)...Int64(DomainLimits.meetingMinutesMax)),
              c.take(UInt8(ascii: ",")), c.key("kind"), let kindName = c.id(), let kind = MeetingKind(rawValue: kindName),
              c.take(UInt8(ascii: ",")), c.key("minutesRecorded"), let minutesRecorded = c.bool(),
              c.take(UInt8(ascii: ","))
        else { return nil }
        var resolutions: [String]?
        if c.key("resolutions") {
            guard let list = c.list({ (c: inout PlainDataCursor) in c.text(lengthMax: DomainLimits.textLengthMax) }), c.take(UInt8(ascii: ","))
            else { return nil }
            resolutions = list
        }
        guard c.key("speakers"), let speakers = c.idList(nonEmpty: false) else { return nil }
        var topic: String?
        if c.take(UInt8(ascii: ",")) {
            guard c.key("topic"), let text = c.text(lengthMax: DomainLimits.textLengthMax) else { return nil }
            topic = text
        }
        guard c.take(UInt8(ascii: "}")), c.atEnd else { return nil }
        return MeetingHeld(
            cell: cell, kind: kind, topic: topic, durationMinutes: Int(duration), attendees: attendees,
            absentees: absentees, speakers: speakers, minutesRecorded: minutesRecorded, resolutions: resolutions)
    }
}
