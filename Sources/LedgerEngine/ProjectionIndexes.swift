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
/// `snapshots`: "state" → seq (u64 BE) ‖ DomainState.snapshot()
enum ProjectionIndexes {
    static let meetings = "meetings"
    static let snapshots = "snapshots"
    static let stateKey = Array("state".utf8)

    static func apply(_ event: DomainEvent, seq: UInt64, occurredOn: BusinessDate, batch: WriteBatch,
                      lookup: StoreEventLookup) throws {
        switch event.type {
        case .meetingHeld:
            guard let row = MeetingRow(data: event.data, seq: seq, day: occurredOn) else { return }
            try batch.putIndex(meetings, key: row.key, value: row.value)
        case .eventRetracted:
            guard let target = event.data["seq"]?.intValue, target > 0,
                  let record = try lookup.storedRecord(seq: UInt64(target)),
                  record.type == EventType.meetingHeld.rawValue,
                  let row = MeetingRow(data: record.data, seq: record.seq, day: record.occurredOn)
            else { return }
            try batch.deleteIndex(meetings, key: row.key)
        default:
            return
        }
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
