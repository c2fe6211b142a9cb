import LedgerDomain
import LedgerJSON
import Testing

@Suite("Decoding: every refusal code names its field")
struct DecodingTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let envelope: JSONValue
        let code: DomainError.Code
        let field: String?
        var testDescription: String { name }
    }

    static func ev(_ type: String, _ data: JSONValue, date: String = "2013-05-01") -> JSONValue {
        ["type": .string(type), "occurredOn": .string(date), "data": data]
    }

    static let longName = JSONValue.string(String(repeating: "a", count: DomainLimits.nameLengthMax + 1))
    static let longText = JSONValue.string(String(repeating: "ư", count: DomainLimits.textLengthMax + 1))
    static let manyIds = JSONValue.array((0...DomainLimits.listEntriesMax).map { .string("m\($0)") })

    static let cases: [Case] = [
        Case(name: "envelope not an object", envelope: "x", code: .wrongType, field: "$"),
        Case(name: "unknown type", envelope: ev("MeetingCancelled", [:]), code: .unknownEventType, field: "type"),
        Case(name: "type not a string", envelope: ["type": 3, "occurredOn": "2013-01-01", "data": [:]], code: .wrongType, field: "type"),
        Case(name: "extra envelope field", envelope: ["type": "MemberRetired", "occurredOn": "2013-01-01", "data": ["memberId": "a"], "actor": "x"], code: .unexpectedField, field: "actor"),
        Case(name: "missing occurredOn", envelope: ["type": "MemberRetired", "data": ["memberId": "a"]], code: .missingField, field: "occurredOn"),
        Case(name: "impossible date", envelope: ev("MemberRetired", ["memberId": "a"], date: "2013-02-30"), code: .invalidDate, field: "occurredOn"),
        Case(name: "date not padded", envelope: ev("MemberRetired", ["memberId": "a"], date: "2013-2-03"), code: .invalidDate, field: "occurredOn"),
        Case(name: "year out of range", envelope: ev("MemberRetired", ["memberId": "a"], date: "1899-12-31"), code: .invalidDate, field: "occurredOn"),
        Case(name: "missing data", envelope: ["type": "MemberRetired", "occurredOn": "2013-01-01"], code: .missingField, field: "data"),
        Case(name: "data not an object", envelope: ev("MemberRetired", ["a"]), code: .wrongType, field: "data"),
        Case(name: "missing field", envelope: ev("MemberConfirmed", [:]), code: .missingField, field: "data.memberId"),
        Case(name: "extra field", envelope: ev("MemberConfirmed", ["memberId": "a", "note": "x"]), code: .unexpectedField, field: "data.note"),
        Case(name: "wrong type", envelope: ev("MemberConfirmed", ["memberId": 7]), code: .wrongType, field: "data.memberId"),
        Case(name: "null is not absent", envelope: ev("MemberRegistered", ["memberId": "a", "name": "A", "cell": "X", "status": "official", "birthYear": nil]), code: .wrongType, field: "data.birthYear"),
        Case(name: "float refused", envelope: ev("MeetingHeld", TestLedger.meeting().replacing("durationMinutes", .double(90.0))), code: .floatNotAllowed, field: "data.durationMinutes"),
        Case(name: "id with a space", envelope: ev("MemberConfirmed", ["memberId": "a b"]), code: .invalidId, field: "data.memberId"),
        Case(name: "id too long", envelope: ev("MemberConfirmed", ["memberId": .string(String(repeating: "a", count: 65))]), code: .invalidId, field: "data.memberId"),
        Case(name: "empty id", envelope: ev("MemberConfirmed", ["memberId": ""]), code: .invalidId, field: "data.memberId"),
        Case(name: "id with Vietnamese letters", envelope: ev("MemberConfirmed", ["memberId": "đv1"]), code: .invalidId, field: "data.memberId"),
        Case(name: "empty name", envelope: ev("MemberAdmitted", ["memberId": "a", "name": "", "cell": "X"]), code: .emptyText, field: "data.name"),
        Case(name: "blank name", envelope: ev("MemberAdmitted", ["memberId": "a", "name": " \t ", "cell": "X"]), code: .emptyText, field: "data.name"),
        Case(name: "newline in a name", envelope: ev("MemberAdmitted", ["memberId": "a", "name": "A\nB", "cell": "X"]), code: .controlCharacter, field: "data.name"),
        Case(name: "name too long", envelope: ev("MemberAdmitted", ["memberId": "a", "name": longName, "cell": "X"]), code: .textTooLong, field: "data.name"),
        Case(name: "text too long", envelope: ev("OrganizationDissolved", ["code": "X", "reason": longText]), code: .textTooLong, field: "data.reason"),
        Case(name: "a run of combining marks", envelope: ev("OrganizationDissolved", ["code": "X", "reason": .string("a" + String(repeating: "\u{0302}", count: 31))]), code: .combiningMarksRun, field: "data.reason"),
        Case(name: "bad enum", envelope: ev("MemberRegistered", ["memberId": "a", "name": "A", "cell": "X", "status": "candidate"]), code: .invalidEnumValue, field: "data.status"),
        Case(name: "birth year too early", envelope: ev("MemberRegistered", ["memberId": "a", "name": "A", "cell": "X", "status": "official", "birthYear": 1899]), code: .integerOutOfRange, field: "data.birthYear"),
        Case(name: "duration zero", envelope: ev("MeetingHeld", TestLedger.meeting(minutes: 0)), code: .integerOutOfRange, field: "data.durationMinutes"),
        Case(name: "duration over 12 hours", envelope: ev("MeetingHeld", TestLedger.meeting(minutes: 721)), code: .integerOutOfRange, field: "data.durationMinutes"),
        Case(name: "too many attendees", envelope: ev("MeetingHeld", TestLedger.meeting().replacing("attendees", manyIds)), code: .listTooLong, field: "data.attendees"),
        Case(name: "no attendees", envelope: ev("MeetingHeld", TestLedger.meeting(attendees: [], speakers: [])), code: .emptyList, field: "data.attendees"),
        Case(name: "duplicate attendee", envelope: ev("MeetingHeld", TestLedger.meeting(attendees: ["m1", "m2", "m1"])), code: .duplicateEntry, field: "data.attendees[2]"),
        Case(name: "duplicate attendee in a long list", envelope: ev("MeetingHeld", TestLedger.meeting(attendees: (0..<40).map { "m\($0)" } + ["m7"])), code: .duplicateEntry, field: "data.attendees[40]"),
        Case(name: "absentee without reason", envelope: ev("MeetingHeld", TestLedger.meeting().replacing("absentees", [["memberId": "m4"]])), code: .missingField, field: "data.absentees[0].reason"),
        Case(name: "bloc with a parent", envelope: ev("OrganizationRegistered", ["code": "B", "name": "B", "kind": "bloc", "parent": "A"]), code: .unexpectedField, field: "data.parent"),
        Case(name: "cell without a parent", envelope: ev("OrganizationRegistered", ["code": "X", "name": "X", "kind": "cell"]), code: .missingField, field: "data.parent"),
        Case(name: "dissolution of a member", envelope: ev("DisciplineImposed", ["disciplineId": "d", "subjectKind": "member", "subject": "m1", "form": "dissolution", "decidedBy": "X", "reason": "r"]), code: .formNotAllowedForSubject, field: "data.form"),
        Case(name: "expulsion of an organization", envelope: ev("DisciplineImposed", ["disciplineId": "d", "subjectKind": "organization", "subject": "X", "form": "expulsion", "decidedBy": "C1", "reason": "r"]), code: .formNotAllowedForSubject, field: "data.form"),
        Case(name: "reduced without newForm", envelope: ev("DisciplineRevised", ["disciplineId": "d", "outcome": "reduced"]), code: .missingField, field: "data.newForm"),
        Case(name: "upheld with newForm", envelope: ev("DisciplineRevised", ["disciplineId": "d", "outcome": "upheld", "newForm": "warning"]), code: .unexpectedField, field: "data.newForm"),
        Case(name: "retraction of seq 0", envelope: ev("EventRetracted", ["seq": 0, "reason": "x"]), code: .integerOutOfRange, field: "data.seq"),
        Case(name: "expectedVersion negative", envelope: ["type": "MemberRetired", "occurredOn": "2013-01-01", "data": ["memberId": "a"], "expectedVersion": -1], code: .integerOutOfRange, field: "expectedVersion"),
        Case(name: "empty idempotencyKey", envelope: ["type": "MemberRetired", "occurredOn": "2013-01-01", "data": ["memberId": "a"], "idempotencyKey": ""], code: .emptyText, field: "idempotencyKey"),
        Case(name: "quality year before 1930", envelope: ev("QualityEvaluated", ["subjectKind": "member", "subject": "m1", "year": 1929, "rating": "good"]), code: .integerOutOfRange, field: "data.year"),
    ]

    @Test(arguments: cases)
    func refuses(_ c: Case) {
        #expect(throws: DomainError.self) { try SubmissionDecoder.decode(c.envelope) }
        do {
            _ = try SubmissionDecoder.decode(c.envelope)
        } catch {
            #expect(error.code == c.code, "\(error)")
            #expect(error.field == c.field, "\(error)")
            #expect(error.message.count > 10)
        }
    }

    @Test func decodesEveryOptionalFieldAndNormalizesText() throws {
        let nfd = "Nguye\u{0302}\u{0303}n"  // e + circumflex + tilde
        let s = try SubmissionDecoder.decode([
            "type": "MemberRegistered", "occurredOn": "2012-03-14", "idempotencyKey": "k-1", "expectedVersion": 0,
            "data": ["memberId": "a.b_c-1", "name": .string(nfd), "cell": "X", "status": "official", "birthYear": 1960],
        ])
        guard case .memberRegistered(let e) = s.event else { Issue.record("wrong case"); return }
        #expect(e.name == "Nguyễn")
        #expect(e.name.unicodeScalars.count == 6)
        #expect(e.data["name"]?.stringValue?.unicodeScalars.count == 6)
        #expect(e.birthYear == 1960)
        #expect(s.idempotencyKey == "k-1")
        #expect(s.expectedVersion == 0)
        #expect(s.occurredOn.description == "2012-03-14")
        #expect(s.event.stream == "member/a.b_c-1")
        // The canonical data has only present fields and round-trips.
        let again = try DomainEvent.decode(type: .memberRegistered, data: s.event.data)
        #expect(again == s.event)
        #expect(try SubmissionDecoder.decode(s.json).event == s.event)
    }

    @Test func lengthsCountScalarsAfterNFC() throws {
        // 200 NFD "ệ" (3 scalars each) is 600 scalars raw, 200 after NFC: accepted.
        let nfd = String(repeating: "e\u{0323}\u{0302}", count: DomainLimits.nameLengthMax)
        let s = try SubmissionDecoder.decode(Self.ev("MemberAdmitted", ["memberId": "a", "name": .string(nfd), "cell": "X"]))
        guard case .memberAdmitted(let e) = s.event else { Issue.record("wrong case"); return }
        #expect(e.name.unicodeScalars.count == DomainLimits.nameLengthMax)
    }

    @Test func streams() throws {
        func stream(_ type: String, _ data: JSONValue) throws -> String {
            try SubmissionDecoder.decode(Self.ev(type, data)).event.stream
        }
        #expect(try stream("OrganizationRegistered", ["code": "B", "name": "B", "kind": "bloc"]) == "org/B")
        #expect(try stream("MeetingHeld", TestLedger.meeting()) == "org/X")
        #expect(try stream("QualityEvaluated", ["subjectKind": "organization", "subject": "X", "year": 2012, "rating": "good"]) == "org/X")
        #expect(try stream("Commended", ["subjectKind": "member", "subject": "m1", "by": "X", "title": "T"]) == "member/m1")
        #expect(try stream("TrainingCompleted", ["memberId": "m1", "course": "Lý luận", "by": "C1"]) == "member/m1")
        #expect(try stream("MemberTaskAssigned", ["memberId": "m1", "task": "t"]) == "member/m1")
        #expect(try stream("InspectionConcluded", ["inspectionId": "i1", "conclusion": "c", "violationsFound": false]) == "inspection/i1")
        #expect(try stream("DisciplineAppealed", ["disciplineId": "d1", "grounds": "g"]) == "discipline/d1")
        #expect(try stream("EventRetracted", ["seq": 42, "reason": "typo"]) == "retraction/42")
    }

    @Test func everyTypeHasItsFieldsAndName() {
        #expect(EventType.allCases.count == 22)
        for t in EventType.allCases {
            #expect(!t.fields.isEmpty)
            #expect(EventType(rawValue: t.rawValue) == t)
        }
    }
}

extension JSONValue {
    func replacing(_ key: String, _ value: JSONValue) -> JSONValue {
        guard case .object(var o) = self else { return self }
        o[key] = value
        return .object(o)
    }

    func removing(_ key: String) -> JSONValue {
        guard case .object(var o) = self else { return self }
        o[key] = nil
        return .object(o)
    }
}
