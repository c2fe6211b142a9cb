import Foundation
import LedgerDomain
import LedgerJSON
import Testing

/// The numbers and vocabularies in Schemas/events are those of the Swift types.
@Suite("Schemas carry the Swift limits and enums")
struct SchemaLimitsTests {
    static let dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Schemas/events")

    static func schema(_ name: String) throws -> JSONValue {
        try FixtureJSON.parse(Data(contentsOf: dir.appendingPathComponent("\(name).schema.json")))
    }

    static func int(_ v: JSONValue?) -> Int? { v?.intValue.map(Int.init) }

    @Test func commonDefinitions() throws {
        let defs = try #require(try Self.schema("common")["$defs"])
        #expect(defs["id"]?["pattern"]?.stringValue == "^[A-Za-z0-9._-]{1,\(DomainLimits.idLengthMax)}$")
        #expect(Self.int(defs["name"]?["maxLength"]) == DomainLimits.nameLengthMax)
        #expect(Self.int(defs["text"]?["maxLength"]) == DomainLimits.textLengthMax)
        for list in ["idList", "nonEmptyIdList", "nameList", "textList"] {
            #expect(Self.int(defs[list]?["maxItems"]) == DomainLimits.listEntriesMax, "\(list)")
        }
        #expect(defs["subjectKind"]?["enum"] == .array(SubjectKind.allCases.map { .string($0.rawValue) }))
        #expect(defs["memberForm"]?["enum"] == .array(DisciplineForm.allowed(for: .member).map { .string($0.rawValue) }))
        #expect(defs["organizationForm"]?["enum"] == .array(DisciplineForm.allowed(for: .organization).map { .string($0.rawValue) }))
        #expect(defs["form"]?["enum"] == .array(DisciplineForm.allCases.map { .string($0.rawValue) }))
    }

    @Test func numbers() throws {
        let meeting = try Self.schema("MeetingHeld")["properties"]?["durationMinutes"]
        #expect(Self.int(meeting?["minimum"]) == DomainLimits.meetingMinutesMin)
        #expect(Self.int(meeting?["maximum"]) == DomainLimits.meetingMinutesMax)
        let birth = try Self.schema("MemberRegistered")["properties"]?["birthYear"]
        #expect(Self.int(birth?["minimum"]) == DomainLimits.birthYearMin && Self.int(birth?["maximum"]) == DomainLimits.birthYearMax)
        let year = try Self.schema("QualityEvaluated")["properties"]?["year"]
        #expect(Self.int(year?["minimum"]) == DomainLimits.evaluationYearMin && Self.int(year?["maximum"]) == DomainLimits.evaluationYearMax)
        let seq = try Self.schema("EventRetracted")["properties"]?["seq"]
        #expect(seq?["maximum"]?.intValue == DomainLimits.integerMax)
        let envelope = try Self.schema("envelope")["properties"]
        #expect(Self.int(envelope?["idempotencyKey"]?["maxLength"]) == DomainLimits.idempotencyKeyLengthMax)
        #expect(envelope?["expectedVersion"]?["maximum"]?.intValue == DomainLimits.integerMax)
        #expect(envelope?["type"]?["enum"] == .array(EventType.allCases.map { .string($0.rawValue) }))
    }

    @Test func enumerations() throws {
        func values<E: CaseIterable & RawRepresentable>(_: E.Type) -> JSONValue where E.RawValue == String {
            .array(E.allCases.map { .string($0.rawValue) })
        }
        let checks: [(String, String, JSONValue)] = [
            ("OrganizationRegistered", "kind", values(OrganizationKind.self)),
            ("MemberRegistered", "status", values(MemberStatus.self)),
            ("MemberTransferred", "kind", values(TransferKind.self)),
            ("MemberRoleAssigned", "role", values(Role.self)),
            ("MemberRoleEnded", "role", values(Role.self)),
            ("MemberRemoved", "reason", values(RemovalReason.self)),
            ("MeetingHeld", "kind", values(MeetingKind.self)),
            ("InspectionFiled", "kind", values(InspectionKind.self)),
            ("DisciplineRevised", "outcome", values(RevisionOutcome.self)),
            ("QualityEvaluated", "rating", values(QualityRating.self)),
        ]
        for (type, field, expected) in checks {
            #expect(try Self.schema(type)["properties"]?[field]?["enum"] == expected, "\(type).\(field)")
        }
    }
}
