public import LedgerJSON

/// A yearly quality rating (đánh giá, xếp loại chất lượng) of a member or an
/// organization; once per subject and year. A leaf event.
public struct QualityEvaluated: EventPayload {
    public var subject: Subject
    public var year: Int
    public var rating: QualityRating

    public init(subject: Subject, year: Int, rating: QualityRating) {
        self.subject = subject
        self.year = year
        self.rating = rating
    }

    static let eventType = EventType.qualityEvaluated
    static let fields = ["subjectKind", "subject", "year", "rating"]

    init(reading r: FieldReader) throws(DomainError) {
        subject = try readSubject(r)
        year = Int(
            try r.int("year", Int64(DomainLimits.evaluationYearMin)...Int64(DomainLimits.evaluationYearMax)))
        rating = try r.enumeration("rating", QualityRating.self)
    }

    public var data: JSONValue {
        var d = DataObject()
        writeSubject(subject, into: &d)
        d.set("year", year)
        d.set("rating", rating)
        return d.json
    }

    var event: DomainEvent { .qualityEvaluated(self) }
}

/// A commendation (khen thưởng) of a member or an organization by `by`. A leaf event.
public struct Commended: EventPayload {
    public var subject: Subject
    public var by: String
    public var title: String

    public init(subject: Subject, by: String, title: String) {
        self.subject = subject
        self.by = by
        self.title = title
    }

    static let eventType = EventType.commended
    static let fields = ["subjectKind", "subject", "by", "title"]

    init(reading r: FieldReader) throws(DomainError) {
        subject = try readSubject(r)
        by = try r.id("by")
        title = try r.name("title")
    }

    public var data: JSONValue {
        var d = DataObject()
        writeSubject(subject, into: &d)
        d["by"] = by
        d["title"] = title
        return d.json
    }

    var event: DomainEvent { .commended(self) }
}

/// A member completed a course run by `by`. A leaf event.
public struct TrainingCompleted: EventPayload {
    public var memberId: String
    public var course: String
    public var by: String

    public init(memberId: String, course: String, by: String) {
        self.memberId = memberId
        self.course = course
        self.by = by
    }

    static let eventType = EventType.trainingCompleted
    static let fields = ["memberId", "course", "by"]

    init(reading r: FieldReader) throws(DomainError) {
        memberId = try r.id("memberId")
        course = try r.name("course")
        by = try r.id("by")
    }

    public var data: JSONValue {
        var d = DataObject()
        d["memberId"] = memberId
        d["course"] = course
        d["by"] = by
        return d.json
    }

    var event: DomainEvent { .trainingCompleted(self) }
}

/// Marks event `seq` as a recorded mistake: it stays in the log, projections
/// and rules skip it from now on. Rules: `RetractionRules`.
public struct EventRetracted: EventPayload {
    public var seq: UInt64
    public var reason: String

    public init(seq: UInt64, reason: String) {
        self.seq = seq
        self.reason = reason
    }

    static let eventType = EventType.eventRetracted
    static let fields = ["seq", "reason"]

    init(reading r: FieldReader) throws(DomainError) {
        seq = UInt64(try r.int("seq", 1...DomainLimits.integerMax))
        reason = try r.text("reason")
    }

    public var data: JSONValue {
        var d = DataObject()
        d.set("seq", JSONValue.int(Int64(seq)))
        d["reason"] = reason
        return d.json
    }

    var event: DomainEvent { .eventRetracted(self) }
}
