/// Discipline:
/// - ids are unique (`discipline-exists`); forms fit the subject kind (decoding,
///   `form-not-allowed-for-subject`); a probationary member receives only a reprimand or a
///   warning (`form-not-allowed-for-probationary`);
/// - a member subject is active, and the discipline is not dated before the member's latest
///   change of standing (`dated-out-of-order`); an organization subject exists and is not dissolved;
/// - `decidedBy` exists, is not dissolved, and is the member's cell or an organization above
///   it; for an organization, an organization strictly above it (an organization does not
///   discipline itself) (`decider-not-above-subject`);
/// - `inspectionId`, when given, names a filed inspection (`inspection-not-found`);
/// - an expulsion makes the member leave; a dissolution dissolves the organization and every
///   organization under it; a dismissal (cách chức) changes nothing by itself: end the roles
///   with `MemberRoleEnded`;
/// - appeals and revisions need an existing discipline (`discipline-not-found`) that is still
///   in force (`discipline-not-in-force`), dated on or after its latest event
///   (`dated-before-creation`, `dated-out-of-order`); a reduction names a lighter form of the
///   subject's kind (`revision-not-a-reduction`, `form-not-allowed-for-subject`);
/// - **annulling or reducing an expulsion reinstates the member** (active again, same cell and
///   status, no roles); annulling or reducing a dissolution reinstates the organizations it
///   dissolved. Upheld revisions change nothing.
extension DomainState {
    func checkDisciplineImposed(_ e: DisciplineImposed, on date: BusinessDate) throws(DomainError) {
        if disciplines[e.disciplineId] != nil {
            throw DomainError(
                .disciplineExists, "discipline '\(e.disciplineId)' is already recorded; ids are unique, choose another",
                field: "data.disciplineId")
        }
        _ = try requireOrganization(e.decidedBy, field: "data.decidedBy", on: date)
        switch e.subject {
        case .member(let id):
            let m = try requireActiveMember(id, field: "data.subject", on: date)
            try requireInOrder(m, on: date, field: "occurredOn")
            if m.status == .probationary, !DisciplineForm.allowedForProbationary.contains(e.form) {
                throw DomainError(
                    .formNotAllowedForProbationary,
                    "member '\(id)' is probationary and can only receive a reprimand or a warning, not \(e.form.rawValue)",
                    field: "data.form")
            }
            guard isSelfOrAncestor(e.decidedBy, of: m.cell) else {
                throw DomainError(
                    .deciderNotAboveSubject,
                    "'\(e.decidedBy)' is neither member '\(id)''s cell '\(m.cell)' nor above it; want one of \(([m.cell] + ancestors(of: m.cell)).joined(separator: ", "))",
                    field: "data.decidedBy")
            }
        case .organization(let code):
            _ = try requireOrganization(code, field: "data.subject", on: date)
            if e.form == .dissolution { try requireDissolutionInOrder(code, on: date) }
            guard ancestors(of: code).contains(e.decidedBy) else {
                throw DomainError(
                    .deciderNotAboveSubject,
                    "'\(e.decidedBy)' is not above organization '\(code)'; want one of \(ancestors(of: code).joined(separator: ", "))",
                    field: "data.decidedBy")
            }
        }
        if let i = e.inspectionId { _ = try requireInspection(i, field: "data.inspectionId", on: date) }
    }

    /// A discipline in force whose latest event is not after `date`.
    func requireDisciplineInForce(_ id: String, on date: BusinessDate) throws(DomainError) -> Discipline {
        guard let d = disciplines[id] else {
            throw DomainError(.disciplineNotFound, "discipline '\(id)' was never imposed", field: "data.disciplineId")
        }
        guard d.imposedOn <= date else {
            throw DomainError(
                .datedBeforeCreation, "discipline '\(id)' was imposed on \(d.imposedOn), after this event's date \(date)",
                field: "data.disciplineId")
        }
        let latest = (d.appeals.map(\.on) + d.revisions.map(\.on)).max()
        if let latest, latest > date {
            throw DomainError(
                .datedOutOfOrder, "discipline '\(id)' has an appeal or revision dated \(latest), after \(date)",
                field: "occurredOn")
        }
        guard d.inForce else {
            throw DomainError(.disciplineNotInForce, "discipline '\(id)' was annulled; it is no longer in force", field: "data.disciplineId")
        }
        return d
    }

    func checkDisciplineAppealed(_ e: DisciplineAppealed, on date: BusinessDate) throws(DomainError) {
        _ = try requireDisciplineInForce(e.disciplineId, on: date)
    }

    func checkDisciplineRevised(_ e: DisciplineRevised, on date: BusinessDate) throws(DomainError) {
        let d = try requireDisciplineInForce(e.disciplineId, on: date)
        guard e.outcome == .reduced, let newForm = e.newForm, let current = d.currentForm else { return }
        let allowed = DisciplineForm.allowed(for: d.subject.kind)
        guard allowed.contains(newForm) else {
            throw DomainError(
                .formNotAllowedForSubject,
                "data.newForm is '\(newForm.rawValue)', not a form for a\(d.subject.kind == .member ? "" : "n") \(d.subject.kind.rawValue)",
                field: "data.newForm")
        }
        guard newForm.severity < current.severity else {
            throw DomainError(
                .revisionNotAReduction,
                "discipline '\(d.id)' is now a \(current.rawValue); '\(newForm.rawValue)' is not lighter",
                field: "data.newForm")
        }
    }
}
