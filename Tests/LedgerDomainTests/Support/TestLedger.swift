import LedgerDomain
import LedgerJSON
import Testing

/// A state with its log in memory: submit events by JSON as a client would.
struct TestLedger {
    var state = DomainState()
    var log = InMemoryEventLog()
    var warningsBySeq: [UInt64: [DomainWarning]] = [:]

    /// Decodes, checks and applies; returns the seq. Throws the DomainError of decoding or rules.
    @discardableResult
    mutating func submit(_ type: String, _ date: String, _ data: JSONValue) throws(DomainError) -> UInt64 {
        let submission = try SubmissionDecoder.decode(["type": .string(type), "occurredOn": .string(date), "data": data])
        return try submit(submission.event, on: submission.occurredOn)
    }

    @discardableResult
    mutating func submit(_ event: DomainEvent, on date: BusinessDate) throws(DomainError) -> UInt64 {
        let warnings = try state.check(event, occurredOn: date, lookup: log)
        let seq = log.nextSeq
        log.append(event, occurredOn: date)
        state.apply(event, seq: seq, occurredOn: date, lookup: log)
        warningsBySeq[seq] = warnings
        return seq
    }

    /// Submits and expects success.
    @discardableResult
    mutating func ok(_ type: String, _ date: String, _ data: JSONValue, sourceLocation: SourceLocation = #_sourceLocation)
        -> UInt64
    {
        do {
            return try submit(type, date, data)
        } catch {
            Issue.record("\(type) on \(date) refused: \(error)", sourceLocation: sourceLocation)
            return 0
        }
    }

    /// Submits and expects the refusal `code`; checks that nothing changed.
    mutating func refuses(
        _ code: DomainError.Code, _ type: String, _ date: String, _ data: JSONValue,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let before = state
        do {
            let seq = try submit(type, date, data)
            Issue.record("\(type) on \(date) accepted as \(seq); want \(code.rawValue)", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            #expect(state == before, "a refused event changed the state", sourceLocation: sourceLocation)
        }
    }

    /// A small world: bloc B > committee C1 > cells X, Y; cell Z directly under B;
    /// members m1..m4 official in X, p1 probationary in X, m5 official in Y.
    static func world() -> TestLedger {
        var l = TestLedger()
        l.ok("OrganizationRegistered", "2010-01-01", ["code": "B", "name": "Đảng bộ Khối", "kind": "bloc"])
        l.ok("OrganizationRegistered", "2010-01-01", ["code": "C1", "name": "Đảng bộ cơ sở 1", "kind": "committee", "parent": "B"])
        l.ok("OrganizationRegistered", "2010-01-01", ["code": "X", "name": "Chi bộ X", "kind": "cell", "parent": "C1"])
        l.ok("OrganizationRegistered", "2010-01-01", ["code": "Y", "name": "Chi bộ Y", "kind": "cell", "parent": "C1"])
        l.ok("OrganizationRegistered", "2010-01-01", ["code": "Z", "name": "Chi bộ Z", "kind": "cell", "parent": "B"])
        for m in ["m1", "m2", "m3", "m4"] {
            l.ok("MemberRegistered", "2010-01-02", ["memberId": .string(m), "name": .string("Nguyễn Văn \(m)"), "cell": "X", "status": "official"])
        }
        l.ok("MemberAdmitted", "2010-01-03", ["memberId": "p1", "name": "Trần Thị P", "cell": "X"])
        l.ok("MemberRegistered", "2010-01-02", ["memberId": "m5", "name": "Lê Văn E", "cell": "Y", "status": "official"])
        return l
    }

    /// A meeting data object in cell X on the world's members.
    static func meeting(
        cell: String = "X", kind: String = "regular", minutes: Int64 = 120, attendees: [String] = ["m1", "m2", "m3"],
        absentees: [String] = [], speakers: [String] = ["m1"]
    ) -> JSONValue {
        [
            "cell": .string(cell), "kind": .string(kind), "durationMinutes": .int(minutes),
            "attendees": .array(attendees.map(JSONValue.string)),
            "absentees": .array(absentees.map { ["memberId": .string($0), "reason": "ốm"] }),
            "speakers": .array(speakers.map(JSONValue.string)), "minutesRecorded": true,
        ]
    }
}

func date(_ s: String) -> BusinessDate { BusinessDate(s)! }
