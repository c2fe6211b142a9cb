import LedgerDomain
import LedgerJSON

/// A stored record exactly as the ledger writes it, read front to back in
/// one pass: RFC 8785 member order, no escapes, plain ASCII around `data`,
/// `warnings` (if any) of plain codes and messages, of an event type
/// `InPlaceEventDecoder` reads. `type` is read first, from the end (before
/// the warnings, which a replay does not read). Nil for any other record: the scanner's path
/// (`ReplayedRecord.scanned`, `StoredRecord.scanned`) decides.
///
/// What it accepts is canonical JSON (sorted members, no white space,
/// strings that need no escape, integers as bare digits) that the general
/// decoder reads alike: every member it does not keep is checked for its
/// JSON form (digits, a plain string). Replays and `verify` read most
/// records this way.
struct PlainRecord {
    let envelope: PlainEnvelope
    let event: DomainEvent

    var seq: UInt64 { envelope.seq }
    var occurredOn: BusinessDate { envelope.occurredOn }
    var type: String { envelope.type.rawValue }
    var streamVersion: UInt64 { envelope.streamVersion }
    var stream: Range<Int> { envelope.stream }
    var idempotencyKey: Range<Int>? { envelope.idempotencyKey }

    init?(_ bytes: UnsafeRawBufferPointer) {
        var event: DomainEvent?
        guard let envelope = PlainEnvelope(bytes, data: { c, type in
            // Read as the current version; `schemaVersion`, further on, must agree.
            event = InPlaceEventDecoder.decode(type: type, schemaVersion: StoredEventDecoder.currentSchemaVersion, from: &c)
            return event != nil
        }), let decoded = event.take()  // moved out, not copied
        else { return nil }
        self.envelope = envelope
        self.event = decoded
    }
}

/// The members of a plain record around `data` (see `PlainRecord`), with
/// `data` left to a reader passed in: `PlainRecord` decodes it there;
/// `verify` only steps over it (`PlainDataCursor.skipPlainObject`) and has
/// it decoded on its replay thread, from `data`.
struct PlainEnvelope {
    let seq: UInt64
    let occurredOn: BusinessDate
    let type: EventType
    let streamVersion: UInt64
    /// Where the stream's name and the idempotency key lie in the bytes (without quotes).
    let stream: Range<Int>
    let idempotencyKey: Range<Int>?
    /// Where `data`'s object lies in the bytes.
    let data: Range<Int>

    /// `readData` reads (or steps over) the `data` object where the cursor
    /// stands, for the type given, and leaves the cursor after it.
    @inline(__always)
    init?(_ bytes: UnsafeRawBufferPointer, data readData: (inout PlainDataCursor, EventType) -> Bool) {
        guard bytes.count <= JSONLimits.storedRecord.documentBytesMax,
              let type = ReplayedRecord.typeAndWarnings(bytes)
        else { return nil }
        if let warnings = type.warnings {
            var w = PlainDataCursor(UnsafeRawBufferPointer(rebasing: bytes[warnings]))
            guard w.plainWarnings(stringBytesMax: JSONLimits.storedRecord.stringBytesMax), w.atEnd else { return nil }
        }
        var c = PlainDataCursor(UnsafeRawBufferPointer(rebasing: bytes[..<type.start]))
        let q = UInt8(ascii: ",")
        func string(_ lengthMax: Int) -> Range<Int>? {
            let start = c.index + 1
            return c.plainASCII(lengthMax: lengthMax) ? start..<(c.index - 1) : nil
        }
        guard c.take(UInt8(ascii: "{")), c.key("actor"), c.take(UInt8(ascii: "{")), c.key("uid"),
              c.int(0...Int64(UInt32.max)) != nil, c.take(q), c.key("user"), string(256) != nil,
              c.take(UInt8(ascii: "}")), c.take(q), c.key("data")
        else { return nil }
        let dataStart = c.index
        guard readData(&c, type.type) else { return nil }
        let dataEnd = c.index
        guard c.take(q), c.key("id"), string(64) != nil, c.take(q) else { return nil }
        var idempotencyKey: Range<Int>?
        if c.key("idempotencyKey") {
            guard let key = string(1024), c.take(q) else { return nil }
            idempotencyKey = key
        }
        guard c.key("occurredOn"), let occurredOn = c.date(),
              c.take(q), c.key("recordedAt"), string(64) != nil,
              c.take(q), c.key("schemaVersion"),
              c.int(Int64(StoredEventDecoder.currentSchemaVersion)...Int64(StoredEventDecoder.currentSchemaVersion)) != nil,
              c.take(q), c.key("seq"), let seq = c.int(1...DomainLimits.integerMax),
              c.take(q), c.key("stream"), let stream = string(256),
              c.take(q), c.key("streamVersion"), let streamVersion = c.int(1...DomainLimits.integerMax),
              c.take(q), c.atEnd
        else { return nil }
        self.seq = UInt64(seq)
        self.occurredOn = occurredOn
        self.type = type.type
        self.streamVersion = UInt64(streamVersion)
        self.stream = stream
        self.idempotencyKey = idempotencyKey
        self.data = dataStart..<dataEnd
    }

    /// Decodes the `data` object at `range` of `record`, of `type`, as
    /// `PlainRecord` does; nil where it would decline. For a reader that
    /// stepped over `data` and leaves it to another thread.
    static func decodeData(of type: EventType, at range: Range<Int>, in record: UnsafeRawBufferPointer) -> DomainEvent? {
        guard range.upperBound <= record.count else { return nil }
        var c = PlainDataCursor(UnsafeRawBufferPointer(rebasing: record[range]))
        guard let event = InPlaceEventDecoder.decode(type: type, schemaVersion: StoredEventDecoder.currentSchemaVersion,
                                                     from: &c),
              c.atEnd
        else { return nil }
        return event
    }
}
