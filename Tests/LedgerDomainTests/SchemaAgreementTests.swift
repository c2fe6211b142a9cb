import Foundation
import LedgerDomain
import LedgerJSON
import Testing

/// The fixtures `scripts/validate-schemas.py` checks against the JSON Schemas,
/// fed through the Swift decoder: the schema and the code agree on every one.
@Suite("Schemas and decoder agree on every fixture")
struct SchemaAgreementTests {
    static let valid = FixtureJSON.files(in: "valid").map(\.lastPathComponent)
    static let invalid = FixtureJSON.files(in: "invalid").map(\.lastPathComponent)

    static func load(_ folder: String, _ name: String) throws -> JSONValue {
        try FixtureJSON.parse(Data(contentsOf: FixtureJSON.fixturesURL.appendingPathComponent(folder).appendingPathComponent(name)))
    }

    @Test func fixturesArePresent() {
        #expect(Self.valid.count >= EventType.allCases.count)
        #expect(Self.invalid.count >= 30)
        // Every event type has a valid fixture; every decoding code an invalid one.
        for t in EventType.allCases { #expect(Self.valid.contains { $0.hasPrefix(t.rawValue + "--") }, "\(t)") }
        let decodingCodes = DomainError.Code.allCases.filter(\.isDecoding)
        for code in decodingCodes {
            #expect(Self.invalid.contains { $0.hasPrefix(code.rawValue + "--") }, "no invalid fixture for \(code.rawValue)")
        }
    }

    @Test(arguments: valid)
    func validFixtureDecodes(_ name: String) throws {
        let value = try Self.load("valid", name)
        let submission = try SubmissionDecoder.decode(value)
        if let typeName = name.split(separator: "-").first, let t = EventType(rawValue: String(typeName)) {
            #expect(submission.event.type == t)
        }
        // The canonical form decodes to the same event.
        #expect(try SubmissionDecoder.decode(submission.json).event == submission.event)
    }

    @Test(arguments: invalid)
    func invalidFixtureIsRefusedWithItsCode(_ name: String) throws {
        let expected = name.components(separatedBy: "--")[0]
        let value = try Self.load("invalid", name)
        #expect(DomainError.Code(rawValue: expected) != nil, "fixture \(name) names no error code")
        do {
            let s = try SubmissionDecoder.decode(value)
            Issue.record("\(name) decoded as \(s.event.type.rawValue); want \(expected)")
        } catch {
            #expect(error.code.rawValue == expected, "\(name): \(error)")
            #expect(error.field != nil, "\(name): the error names no field")
        }
    }

    @Test func schemaFilesExistForEveryType() {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let dir = root.appendingPathComponent("Schemas/events")
        for t in EventType.allCases {
            let url = dir.appendingPathComponent("\(t.rawValue).schema.json")
            guard let data = try? Data(contentsOf: url), let schema = try? FixtureJSON.parse(data) else {
                Issue.record("missing or unreadable \(url.path)")
                continue
            }
            // Same fields as the Swift type, and additionalProperties false.
            let properties = schema["properties"]?.objectValue?.keys.sorted() ?? []
            #expect(properties == t.fields.sorted(), "\(t.rawValue)")
            #expect(schema["additionalProperties"] == .bool(false))
        }
    }
}

/// Golden stored events of every schema version, decoded forever.
@Suite("Stored events and upcasters")
struct StoredEventTests {
    static let v1 = FixtureJSON.files(in: "stored/v1").map(\.lastPathComponent)

    @Test func everyTypeHasAGoldenV1Event() {
        #expect(Set(Self.v1) == Set(EventType.allCases.map { "\($0.rawValue).json" }))
        #expect(StoredEventDecoder.currentSchemaVersion == 1)
    }

    @Test(arguments: v1)
    func goldenV1Decodes(_ name: String) throws {
        let record = try SchemaAgreementTests.load("stored/v1", name)
        let event = try StoredEventDecoder.decode(
            type: record["type"]!.stringValue!, schemaVersion: Int(record["schemaVersion"]!.intValue!), data: record["data"]!)
        #expect(event.type.rawValue + ".json" == name)
        // Version 1 is current: the canonical data is the stored data.
        #expect(event.data == record["data"])
    }

    @Test func versionsOutsideTheRegistryAreRefused() {
        #expect(throws: DomainError.self) { try StoredEventDecoder.decode(type: "MemberRetired", schemaVersion: 2, data: ["memberId": "a"]) }
        #expect(throws: DomainError.self) { try StoredEventDecoder.decode(type: "MemberRetired", schemaVersion: 0, data: ["memberId": "a"]) }
        #expect(throws: DomainError.self) { try StoredEventDecoder.decode(type: "Nope", schemaVersion: 1, data: [:]) }
        do {
            _ = try StoredEventDecoder.decode(type: "MemberRetired", schemaVersion: 2, data: ["memberId": "a"])
        } catch { #expect(error.code == .schemaVersionTooNew) }
        do {
            _ = try StoredEventDecoder.decode(type: "MemberRetired", schemaVersion: 0, data: ["memberId": "a"])
        } catch { #expect(error.code == .unsupportedSchemaVersion) }
    }

    /// A test-only history: pretend `MeetingHeld` had `durationHours` in version 1,
    /// gained `minutesRecorded` only in version 3, and the current shape is version 3.
    /// Steps chain 1 → 2 → 3; other types pass through unchanged.
    static let testRegistry = UpcasterRegistry(currentVersion: 3, steps: [
        .init(.meetingHeld, from: 1): { (data: JSONValue) throws(DomainError) -> JSONValue in
            guard case .object(var o) = data, case .int(let hours)? = o["durationHours"] else {
                throw DomainError(.missingField, "a version-1 MeetingHeld has durationHours", field: "data.durationHours")
            }
            o["durationHours"] = nil
            o["durationMinutes"] = .int(hours * 60)
            return .object(o)
        },
        .init(.meetingHeld, from: 2): { (data: JSONValue) throws(DomainError) -> JSONValue in
            guard case .object(var o) = data else { return data }
            if o["minutesRecorded"] == nil { o["minutesRecorded"] = false }
            return .object(o)
        },
    ])

    @Test func upcastersChain() throws {
        let v1: JSONValue = ["cell": "X", "kind": "regular", "durationHours": 2, "attendees": ["a"], "absentees": [], "speakers": []]
        let event = try StoredEventDecoder.decode(type: "MeetingHeld", schemaVersion: 1, data: v1, registry: Self.testRegistry)
        guard case .meetingHeld(let m) = event else { Issue.record("wrong type"); return }
        #expect(m.durationMinutes == 120)
        #expect(m.minutesRecorded == false)
        // From version 2 only the second step runs.
        let v2 = v1.removing("durationHours").replacing("durationMinutes", 45)
        let e2 = try StoredEventDecoder.decode(type: "MeetingHeld", schemaVersion: 2, data: v2, registry: Self.testRegistry)
        if case .meetingHeld(let m2) = e2 { #expect(m2.durationMinutes == 45) }
        // A current-version record is not touched; an old record missing what a step needs is refused.
        #expect(throws: DomainError.self) {
            try StoredEventDecoder.decode(type: "MeetingHeld", schemaVersion: 1, data: v2, registry: Self.testRegistry)
        }
        // Types without steps pass through every version.
        let retired = try StoredEventDecoder.decode(type: "MemberRetired", schemaVersion: 1, data: ["memberId": "a"], registry: Self.testRegistry)
        #expect(retired == .memberRetired(MemberRetired(memberId: "a")))
        // The upcast output is still decoded strictly.
        let bad: JSONValue = ["cell": "X", "kind": "regular", "durationHours": 13, "attendees": ["a"], "absentees": [], "speakers": []]
        do {
            _ = try StoredEventDecoder.decode(type: "MeetingHeld", schemaVersion: 1, data: bad, registry: Self.testRegistry)
            Issue.record("13 hours accepted")
        } catch { #expect(error.code == .integerOutOfRange) }
    }
}
