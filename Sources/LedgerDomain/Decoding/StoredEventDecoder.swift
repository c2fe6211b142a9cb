public import LedgerJSON

/// Reads events back from the log: `type` + `schemaVersion` + `data` of a
/// stored record, lifted to the current schema by upcasters, then decoded
/// with the same strict decoder as submissions.
///
/// Stored events are never rewritten: an old record keeps its bytes (and so
/// its leaf hash) and is upcast every time it is read.
public enum StoredEventDecoder {
    /// The schema version written into every new record.
    public static let currentSchemaVersion = UpcasterRegistry.production.currentVersion

    /// Decodes a stored event through `UpcasterRegistry.production`.
    ///
    /// Errors: `unknown-event-type`; `unsupported-schema-version` (below 1, or
    /// no upcaster from that version: the record predates every reader we
    /// keep); `schema-version-too-new` (written by a newer ledger: upgrade
    /// this one); any decoding error of the upcast `data`.
    public static func decode(type: String, schemaVersion: Int, data: JSONValue) throws(DomainError) -> DomainEvent {
        try decode(type: type, schemaVersion: schemaVersion, data: data, registry: .production)
    }

    /// As `decode(type:schemaVersion:data:)`, with another registry (tests).
    public static func decode(type: String, schemaVersion: Int, data: JSONValue, registry: UpcasterRegistry)
        throws(DomainError) -> DomainEvent
    {
        guard let eventType = EventType(rawValue: type) else {
            throw DomainError(.unknownEventType, "stored type \(DomainText.quote(type)) is not an event type", field: "type")
        }
        let current = try registry.upcast(type: eventType, schemaVersion: schemaVersion, data: data)
        return try DomainEvent.decode(type: eventType, data: current)
    }
}

/// A table from (event type, schema version) to a function that lifts `data`
/// from that version to the next one. Reading a version-`v` record applies the
/// steps for `v`, `v+1`, … up to `currentVersion`.
///
/// Schema history of the production registry:
/// - version 1 (current): the `data` of CONTRACT.md v1. No upcasters yet.
///
/// When a type's `data` changes: bump `currentVersion`, add a step for
/// (type, old version) to `production`, keep the old golden fixtures under
/// `Tests/LedgerDomainTests/Fixtures/stored/v<old>/` and add new ones. Types
/// that did not change in a version need no step (they pass through).
public struct UpcasterRegistry: Sendable {
    public typealias Step = @Sendable (JSONValue) throws(DomainError) -> JSONValue

    public struct Key: Hashable, Sendable {
        public var type: EventType
        public var fromVersion: Int

        public init(_ type: EventType, from version: Int) {
            self.type = type
            self.fromVersion = version
        }
    }

    public let currentVersion: Int
    /// The oldest version any reader of this registry accepts.
    public let oldestVersion: Int
    private let steps: [Key: Step]

    public init(currentVersion: Int, oldestVersion: Int = 1, steps: [Key: Step]) {
        precondition(oldestVersion >= 1 && oldestVersion <= currentVersion, "oldestVersion must be in 1...currentVersion")
        precondition(
            steps.keys.allSatisfy { $0.fromVersion >= oldestVersion && $0.fromVersion < currentVersion },
            "every step must start at a version in oldestVersion..<currentVersion")
        self.currentVersion = currentVersion
        self.oldestVersion = oldestVersion
        self.steps = steps
    }

    /// The registry the ledger reads with.
    public static let production = UpcasterRegistry(currentVersion: 1, steps: [:])

    /// `data` of a `type` event written at `schemaVersion`, lifted to `currentVersion`.
    public func upcast(type: EventType, schemaVersion: Int, data: JSONValue) throws(DomainError) -> JSONValue {
        guard schemaVersion >= oldestVersion else {
            throw DomainError(
                .unsupportedSchemaVersion,
                "\(type.rawValue) has schemaVersion \(schemaVersion); this ledger reads versions \(oldestVersion) to \(currentVersion)",
                field: "schemaVersion")
        }
        guard schemaVersion <= currentVersion else {
            throw DomainError(
                .schemaVersionTooNew,
                "\(type.rawValue) has schemaVersion \(schemaVersion), newer than this ledger's \(currentVersion); upgrade ledgerd",
                field: "schemaVersion")
        }
        var value = data
        var version = schemaVersion
        while version < currentVersion {
            if let step = steps[Key(type, from: version)] {
                value = try step(value)
            }
            version += 1
        }
        return value
    }
}
