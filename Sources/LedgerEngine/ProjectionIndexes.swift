import LedgerDomain
import LedgerJSON
import LedgerStore

/// Projections kept in LMDB rather than in memory, because they grow with the
/// number of events: meetings. Written in the same transaction as the event,
/// so they can never disagree with the log.
///
/// `meetings`: cell ‖ 0x00 ‖ day (u32 BE, days since 1970 + 2^31) ‖ seq (u64 BE)
///   → kind (1 byte: 0 regular, 1 thematic) ‖ durationMinutes (u16 BE) ‖
///     attendees (u16 BE) ‖ absentees (u16 BE) ‖ speakers (u16 BE) ‖ minutesRecorded (1 byte)
/// `snapshots`: legacy. Earlier versions kept the state snapshot here as
///   "state" → seq (u64 BE) ‖ DomainState.snapshot(); startup reads such a row
///   once, moves it to `state.snapshot` (`SnapshotFile`) and deletes it.
enum ProjectionIndexes {
    static let meetings = "meetings"
    static let snapshots = "snapshots"
    /// org ‖ 0x00 ‖ seq → canonical {seq, type, occurredOn, organization, warnings}
    static let warnings = "warnings"
    /// seq → the org key its warnings are filed under (to delete them on retraction)
    static let warningsBySeq = "warnings-by-seq"
    static let stateKey = Array("state".utf8)
    static let all = [meetings, snapshots, warnings, warningsBySeq]

    /// Writes the index rows of an accepted event. Called before the state
    /// applies it, so `state` is the state the event was checked against.
    static func apply(_ event: DomainEvent, seq: UInt64, occurredOn: BusinessDate, warnings: [DomainWarning],
                      state: DomainState, batch: WriteBatch, lookup: StoreEventLookup) throws {
        if !warnings.isEmpty, let org = organization(of: event, state: state) {
            let entry: JSONValue = .object([
                "seq": .int(Int64(seq)), "type": .string(event.type.rawValue), "occurredOn": .string(occurredOn.description),
                "organization": .string(org),
                "warnings": .array(warnings.map { .object(["code": .string($0.code), "message": .string($0.message)]) }),
            ])
            try batch.putIndex(Self.warnings, key: warningKey(org: org, seq: seq), value: CanonicalJSON.encode(entry))
            try batch.putIndex(warningsBySeq, key: ByteKeys.u64(seq), value: Array(org.utf8))
        }
        switch event.type {
        case .meetingHeld:
            guard case .meetingHeld(let meeting) = event else { return }
            let row = MeetingRow(meeting, seq: seq, day: occurredOn)
            try batch.putIndex(meetings, key: row.key, value: row.value)
        case .eventRetracted:
            guard let target = event.data["seq"]?.intValue, target > 0 else { return }
            if let org = try batch.view.getIndex(warningsBySeq, key: ByteKeys.u64(UInt64(target))) {
                try batch.deleteIndex(Self.warnings, key: warningKey(org: String(decoding: org, as: UTF8.self), seq: UInt64(target)))
                try batch.deleteIndex(warningsBySeq, key: ByteKeys.u64(UInt64(target)))
            }
            guard let record = try lookup.storedRecord(seq: UInt64(target)),
                  record.type == EventType.meetingHeld.rawValue,
                  let row = MeetingRow(data: record.data, seq: record.seq, day: record.occurredOn)
            else { return }
            try batch.deleteIndex(meetings, key: row.key)
        default:
            return
        }
    }

    static func warningKey(org: String, seq: UInt64) -> [UInt8] {
        var key = Array(org.utf8) + [0]
        ByteKeys.append(seq, to: &key)
        return key
    }

    /// The organization an event's warnings are filed under: its cell or
    /// organization, or the member's cell.
    static func organization(of event: DomainEvent, state: DomainState) -> String? {
        let data = event.data
        for key in ["cell", "code", "organization", "toCell"] {
            if let code = data[key]?.stringValue, state.organizations[code] != nil { return code }
        }
        if data["subjectKind"]?.stringValue == "organization", let code = data["subject"]?.stringValue { return code }
        let memberId = data["memberId"]?.stringValue ?? (data["subjectKind"]?.stringValue == "member" ? data["subject"]?.stringValue : nil)
        if let memberId, let member = state.members[memberId] { return member.cell }
        return data["by"]?.stringValue
    }
}

/// One meeting as the report needs it: counts, not names.
public struct MeetingRow: Sendable, Equatable {
    public var cell: String
    public var day: BusinessDate
    public var seq: UInt64
    public var thematic: Bool
    public var durationMinutes: Int
    public var attendees: Int
    public var absentees: Int
    public var speakers: Int
    public var minutesRecorded: Bool

    init(_ meeting: MeetingHeld, seq: UInt64, day: BusinessDate) {
        cell = meeting.cell
        self.day = day
        self.seq = seq
        thematic = meeting.kind == .thematic
        durationMinutes = meeting.durationMinutes
        attendees = meeting.attendees.count
        absentees = meeting.absentees.count
        speakers = meeting.speakers.count
        minutesRecorded = meeting.minutesRecorded
    }

    init?(data: JSONValue, seq: UInt64, day: BusinessDate) {
        guard let cell = data["cell"]?.stringValue, let kind = data["kind"]?.stringValue,
              let duration = data["durationMinutes"]?.intValue
        else { return nil }
        self.cell = cell
        self.day = day
        self.seq = seq
        thematic = kind == "thematic"
        durationMinutes = Int(duration)
        attendees = data["attendees"]?.arrayValue?.count ?? 0
        absentees = data["absentees"]?.arrayValue?.count ?? 0
        speakers = data["speakers"]?.arrayValue?.count ?? 0
        minutesRecorded = data["minutesRecorded"]?.boolValue ?? false
    }

    static func keyPrefix(cell: String) -> [UInt8] { Array(cell.utf8) + [0] }

    static func dayKey(_ day: BusinessDate) -> UInt32 { UInt32(bitPattern: day.dayNumber) &+ (1 << 31) }

    var key: [UInt8] {
        var key = Self.keyPrefix(cell: cell)
        ByteKeys.append(Self.dayKey(day), to: &key)
        ByteKeys.append(seq, to: &key)
        return key
    }

    var value: [UInt8] {
        var bytes: [UInt8] = [thematic ? 1 : 0]
        for n in [durationMinutes, attendees, absentees, speakers] {
            bytes.append(UInt8(truncatingIfNeeded: n >> 8))
            bytes.append(UInt8(truncatingIfNeeded: n))
        }
        bytes.append(minutesRecorded ? 1 : 0)
        return bytes
    }

    init?(cell: String, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) {
        let prefix = cell.utf8.count + 1
        guard key.count == prefix + 12, value.count == 10, let seq = ByteKeys.readU64(key, at: prefix + 4) else {
            return nil
        }
        var dayBits: UInt32 = 0
        for i in 0..<4 { dayBits = dayBits << 8 | UInt32(key[prefix + i]) }
        self.cell = cell
        self.day = BusinessDate(dayNumber: Int32(bitPattern: dayBits &- (1 << 31)))
        self.seq = seq
        thematic = value[0] == 1
        func u16(_ at: Int) -> Int { Int(value[at]) << 8 | Int(value[at + 1]) }
        durationMinutes = u16(1)
        attendees = u16(3)
        absentees = u16(5)
        speakers = u16(7)
        minutesRecorded = value[9] == 1
    }
}

extension ReadView {
    /// The meetings of `cell` held from `from` through `to`, in date order,
    /// counting only events up to `throughSeq`.
    public func meetings(cell: String, from: BusinessDate, to: BusinessDate, throughSeq: UInt64 = .max,
                         _ body: (MeetingRow) throws -> Void) throws {
        let prefix = MeetingRow.keyPrefix(cell: cell)
        var start = prefix
        ByteKeys.append(MeetingRow.dayKey(from), to: &start)
        let last = MeetingRow.dayKey(to)
        try scanIndex(ProjectionIndexes.meetings, prefix: prefix, start: start) { key, value in
            guard let row = MeetingRow(cell: cell, key: key, value: value) else { return true }
            if MeetingRow.dayKey(row.day) > last { return false }
            if row.seq <= throughSeq { try body(row) }
            return true
        }
    }
}
