public import LedgerJSON

/// A client's event, decoded strictly and NFC-normalized (CONTRACT.md, "An event as a client submits it").
public struct Submission: Sendable, Hashable {
    public let event: DomainEvent
    public let occurredOn: BusinessDate
    public let idempotencyKey: String?
    public let expectedVersion: UInt64?

    public init(event: DomainEvent, occurredOn: BusinessDate, idempotencyKey: String? = nil, expectedVersion: UInt64? = nil) {
        self.event = event
        self.occurredOn = occurredOn
        self.idempotencyKey = idempotencyKey
        self.expectedVersion = expectedVersion
    }

    /// The submission as JSON (the envelope of `Schemas/events/envelope.schema.json`).
    public var json: JSONValue {
        var o: [String: JSONValue] = [
            "type": .string(event.type.rawValue), "occurredOn": .string(occurredOn.description), "data": event.data,
        ]
        if let idempotencyKey { o["idempotencyKey"] = .string(idempotencyKey) }
        if let expectedVersion { o["expectedVersion"] = .int(Int64(expectedVersion)) }
        return .object(o)
    }
}

/// Decodes submissions: `{"type", "occurredOn", "data", "idempotencyKey"?, "expectedVersion"?}` and nothing else.
public enum SubmissionDecoder {
    static let envelopeFields = ["type", "occurredOn", "data", "idempotencyKey", "expectedVersion"]

    /// Strict decoding; checks in this order: unexpected fields, `type`,
    /// `occurredOn`, `data`, `idempotencyKey`, `expectedVersion`.
    ///
    /// Throws a 1xx `DomainError` (or `form-not-allowed-for-subject`) naming
    /// the field; domain rules are not checked here (`DomainState.check`).
    public static func decode(_ value: JSONValue) throws(DomainError) -> Submission {
        let r = try FieldReader(value, path: "", allowed: envelopeFields)
        let typeValue = try r.required("type")
        guard case .string(let typeName) = typeValue else {
            throw Decode.wrongType(typeValue, path: "type", want: "string")
        }
        guard let type = EventType(rawValue: typeName) else {
            throw DomainError(
                .unknownEventType,
                "type is \(DomainText.quote(typeName)); want one of \(EventType.allCases.map(\.rawValue).joined(separator: ", "))",
                field: "type")
        }
        let occurredOn = try Decode.date(try r.required("occurredOn"), path: "occurredOn")
        let event = try DomainEvent.decode(type: type, data: try r.required("data"), path: "data")
        var key: String?
        if let k = r.object["idempotencyKey"] {
            let text = try Decode.checkedText(
                k, path: "idempotencyKey", lengthMax: DomainLimits.idempotencyKeyLengthMax, lineBreaks: false)
            guard text.utf8.count <= DomainLimits.idempotencyKeyBytesMax else {
                throw DomainError(
                    .textTooLong,
                    "idempotencyKey has \(text.utf8.count) bytes in UTF-8; at most \(DomainLimits.idempotencyKeyBytesMax)",
                    field: "idempotencyKey")
            }
            key = text
        }
        var expected: UInt64?
        if let v = r.object["expectedVersion"] {
            expected = UInt64(try Decode.int(v, path: "expectedVersion", range: 0...DomainLimits.integerMax))
        }
        return Submission(event: event, occurredOn: occurredOn, idempotencyKey: key, expectedVersion: expected)
    }
}
