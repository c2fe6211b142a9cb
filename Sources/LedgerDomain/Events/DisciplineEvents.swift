public import LedgerJSON

/// Reads `subjectKind` + `subject` (a memberId or an organization code).
func readSubject(_ r: FieldReader) throws(DomainError) -> Subject {
    let kind = try r.enumeration("subjectKind", SubjectKind.self)
    let id = try r.id("subject")
    return kind == .member ? .member(id) : .organization(id)
}

func writeSubject(_ subject: Subject, into d: inout DataObject) {
    d.set("subjectKind", subject.kind)
    d["subject"] = subject.id
}

/// A discipline is imposed. `form` must be a form of the subject's kind
/// (checked at decoding: `form-not-allowed-for-subject`); `DisciplineRules`
/// checks the rest.
public struct DisciplineImposed: EventPayload {
    public var disciplineId: String
    public var subject: Subject
    public var form: DisciplineForm
    public var decidedBy: String
    public var reason: String
    public var inspectionId: String?

    public init(
        disciplineId: String, subject: Subject, form: DisciplineForm, decidedBy: String, reason: String,
        inspectionId: String? = nil
    ) {
        self.disciplineId = disciplineId
        self.subject = subject
        self.form = form
        self.decidedBy = decidedBy
        self.reason = reason
        self.inspectionId = inspectionId
    }

    static let eventType = EventType.disciplineImposed
    static let fields = ["disciplineId", "subjectKind", "subject", "form", "decidedBy", "reason", "inspectionId"]

    init(reading r: FieldReader) throws(DomainError) {
        disciplineId = try r.id("disciplineId")
        subject = try readSubject(r)
        form = try r.enumeration("form", DisciplineForm.self)
        let allowed = DisciplineForm.allowed(for: subject.kind)
        guard allowed.contains(form) else {
            throw DomainError(
                .formNotAllowedForSubject,
                "data.form is '\(form.rawValue)', which is not a form for a\(subject.kind == .member ? "" : "n") \(subject.kind.rawValue); want one of \(allowed.map(\.rawValue).joined(separator: ", "))",
                field: r.fieldPath("form"))
        }
        decidedBy = try r.id("decidedBy")
        reason = try r.text("reason")
        inspectionId = try r.optionalId("inspectionId")
    }

    public var data: JSONValue {
        var d = DataObject()
        d["disciplineId"] = disciplineId
        writeSubject(subject, into: &d)
        d.set("form", form)
        d["decidedBy"] = decidedBy
        d["reason"] = reason
        d["inspectionId"] = inspectionId
        return d.json
    }

    var event: DomainEvent { .disciplineImposed(self) }
}

/// The subject appeals a discipline in force (khiếu nại kỷ luật).
public struct DisciplineAppealed: EventPayload {
    public var disciplineId: String
    public var grounds: String

    public init(disciplineId: String, grounds: String) {
        self.disciplineId = disciplineId
        self.grounds = grounds
    }

    static let eventType = EventType.disciplineAppealed
    static let fields = ["disciplineId", "grounds"]

    init(reading r: FieldReader) throws(DomainError) {
        disciplineId = try r.id("disciplineId")
        grounds = try r.text("grounds")
    }

    public var data: JSONValue {
        var d = DataObject()
        d["disciplineId"] = disciplineId
        d["grounds"] = grounds
        return d.json
    }

    var event: DomainEvent { .disciplineAppealed(self) }
}

/// A discipline in force is reviewed: upheld, reduced to `newForm` (required
/// for `reduced`, refused otherwise, at decoding) or annulled.
public struct DisciplineRevised: EventPayload {
    public var disciplineId: String
    public var outcome: RevisionOutcome
    public var newForm: DisciplineForm?

    public init(disciplineId: String, outcome: RevisionOutcome, newForm: DisciplineForm? = nil) {
        self.disciplineId = disciplineId
        self.outcome = outcome
        self.newForm = newForm
    }

    static let eventType = EventType.disciplineRevised
    static let fields = ["disciplineId", "outcome", "newForm"]

    init(reading r: FieldReader) throws(DomainError) {
        disciplineId = try r.id("disciplineId")
        outcome = try r.enumeration("outcome", RevisionOutcome.self)
        newForm = try r.optionalEnumeration("newForm", DisciplineForm.self)
        if outcome == .reduced, newForm == nil {
            throw DomainError(
                .missingField, "a 'reduced' revision needs data.newForm (the lighter form)", field: r.fieldPath("newForm"))
        }
        if outcome != .reduced, newForm != nil {
            throw DomainError(
                .unexpectedField, "only a 'reduced' revision has data.newForm; an '\(outcome.rawValue)' one has none",
                field: r.fieldPath("newForm"))
        }
    }

    public var data: JSONValue {
        var d = DataObject()
        d["disciplineId"] = disciplineId
        d.set("outcome", outcome)
        d.set("newForm", newForm)
        return d.json
    }

    var event: DomainEvent { .disciplineRevised(self) }
}
