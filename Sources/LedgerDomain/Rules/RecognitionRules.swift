/// Quality ratings and commendations:
/// - the subject is an active member or an existing, not dissolved organization;
/// - a commendation's `by` exists and is not dissolved;
/// - one rating per subject and year (`quality-already-evaluated`), for a year not after the
///   event's date (`quality-year-in-future`).
extension DomainState {
    func requireSubject(_ subject: Subject, on date: BusinessDate) throws(DomainError) {
        switch subject {
        case .member(let id): _ = try requireActiveMember(id, field: "data.subject", on: date)
        case .organization(let code): _ = try requireOrganization(code, field: "data.subject", on: date)
        }
    }

    func checkQualityEvaluated(_ e: QualityEvaluated, on date: BusinessDate) throws(DomainError) {
        try requireSubject(e.subject, on: date)
        guard e.year <= date.year else {
            throw DomainError(
                .qualityYearInFuture, "data.year is \(e.year), after the evaluation's date \(date); a year is rated during or after it",
                field: "data.year")
        }
        let rated: Bool
        switch e.subject {
        case .member(let id): rated = members[id]?.hasRating(forYear: e.year) ?? false
        case .organization(let code): rated = organizations[code]?.hasRating(forYear: e.year) ?? false
        }
        if rated {
            throw DomainError(
                .qualityAlreadyEvaluated,
                "\(e.subject.kind.rawValue) '\(e.subject.id)' already has a rating for \(e.year); retract it first to correct it",
                field: "data.year")
        }
    }

    func checkCommended(_ e: Commended, on date: BusinessDate) throws(DomainError) {
        try requireSubject(e.subject, on: date)
        _ = try requireOrganization(e.by, field: "data.by", on: date)
    }
}
