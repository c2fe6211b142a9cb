import LedgerJSON

/// Every event type of CONTRACT.md, spelled as on the wire.
public enum EventType: String, CaseIterable, Sendable, Codable {
    case organizationRegistered = "OrganizationRegistered"
    case organizationDissolved = "OrganizationDissolved"
    case memberRegistered = "MemberRegistered"
    case memberAdmitted = "MemberAdmitted"
    case memberConfirmed = "MemberConfirmed"
    case memberTransferred = "MemberTransferred"
    case memberRoleAssigned = "MemberRoleAssigned"
    case memberRoleEnded = "MemberRoleEnded"
    case memberTaskAssigned = "MemberTaskAssigned"
    case memberRetired = "MemberRetired"
    case memberTransferredToResidence = "MemberTransferredToResidence"
    case memberRemoved = "MemberRemoved"
    case meetingHeld = "MeetingHeld"
    case inspectionFiled = "InspectionFiled"
    case inspectionConcluded = "InspectionConcluded"
    case disciplineImposed = "DisciplineImposed"
    case disciplineAppealed = "DisciplineAppealed"
    case disciplineRevised = "DisciplineRevised"
    case qualityEvaluated = "QualityEvaluated"
    case commended = "Commended"
    case trainingCompleted = "TrainingCompleted"
    case eventRetracted = "EventRetracted"

    /// The payload type that decodes this event's `data`.
    var payloadType: any EventPayload.Type {
        switch self {
        case .organizationRegistered: return OrganizationRegistered.self
        case .organizationDissolved: return OrganizationDissolved.self
        case .memberRegistered: return MemberRegistered.self
        case .memberAdmitted: return MemberAdmitted.self
        case .memberConfirmed: return MemberConfirmed.self
        case .memberTransferred: return MemberTransferred.self
        case .memberRoleAssigned: return MemberRoleAssigned.self
        case .memberRoleEnded: return MemberRoleEnded.self
        case .memberTaskAssigned: return MemberTaskAssigned.self
        case .memberRetired: return MemberRetired.self
        case .memberTransferredToResidence: return MemberTransferredToResidence.self
        case .memberRemoved: return MemberRemoved.self
        case .meetingHeld: return MeetingHeld.self
        case .inspectionFiled: return InspectionFiled.self
        case .inspectionConcluded: return InspectionConcluded.self
        case .disciplineImposed: return DisciplineImposed.self
        case .disciplineAppealed: return DisciplineAppealed.self
        case .disciplineRevised: return DisciplineRevised.self
        case .qualityEvaluated: return QualityEvaluated.self
        case .commended: return Commended.self
        case .trainingCompleted: return TrainingCompleted.self
        case .eventRetracted: return EventRetracted.self
        }
    }

    /// The `data` fields of this type, required and optional (the schema's `properties`).
    public var fields: [String] { payloadType.fields }
}

/// One event type's `data`: decoded strictly from JSON, and encoded back to
/// the canonical `data` object (only present fields).
protocol EventPayload: Sendable, Hashable {
    static var eventType: EventType { get }
    /// Every field `data` may have; anything else is `unexpected-field`.
    static var fields: [String] { get }
    /// Reads the fields (the reader has already refused unknown ones).
    init(reading data: FieldReader) throws(DomainError)
    /// The canonical `data` object.
    var data: JSONValue { get }
    /// Wraps the payload in its `DomainEvent` case.
    var event: DomainEvent { get }
}

extension EventPayload {
    static func decode(_ data: JSONValue, path: String = "data") throws(DomainError) -> Self {
        try Self(reading: FieldReader(data, path: path, allowed: fields))
    }
}

/// Builds a `data` object, leaving out absent optional fields.
struct DataObject {
    var fields: [String: JSONValue] = [:]

    subscript(key: String) -> String? {
        get { fields[key]?.stringValue }
        set { fields[key] = newValue.map(JSONValue.string) }
    }

    mutating func set(_ key: String, _ value: JSONValue?) { fields[key] = value }
    mutating func set<E: RawRepresentable>(_ key: String, _ value: E?) where E.RawValue == String {
        fields[key] = value.map { .string($0.rawValue) }
    }
    mutating func set(_ key: String, _ value: Int?) { fields[key] = value.map { .int(Int64($0)) } }
    mutating func set(_ key: String, _ value: Bool) { fields[key] = .bool(value) }
    mutating func set(_ key: String, _ value: BusinessDate?) { fields[key] = value.map { .string($0.description) } }
    mutating func set(_ key: String, strings: [String]?) { fields[key] = strings.map { .array($0.map(JSONValue.string)) } }

    var json: JSONValue { .object(fields) }
}
