extension DomainState {
    /// Undoes the effect of event `target` (read through `lookup`): removes what it
    /// created, or removes its entries from the timelines it touched and re-folds
    /// them; forgets its references; marks it retracted by `seq`.
    mutating func applyRetraction(of target: UInt64, by seq: UInt64, lookup: some EventLookup) {
        guard let (event, occurredOn) = lookup.storedEvent(seq: target) else {
            return assertionFailure("retraction of \(target), which the lookup does not hold")
        }
        putRetracted(target, by: seq)
        for ref in event.references { adjustReference(ref, seq: target, adding: false) }
        switch event {
        case .organizationRegistered(let e): putOrganization(e.code, nil)
        case .memberRegistered(let e): putMember(e.memberId, nil)
        case .memberAdmitted(let e): putMember(e.memberId, nil)
        case .inspectionFiled(let e): putInspection(e.inspectionId, nil)
        case .inspectionConcluded(let e):
            guard var i = inspections[e.inspectionId], i.conclusion?.seq == target else { return }
            i.conclusion = nil
            putInspection(e.inspectionId, i)
        case .organizationDissolved(let e):
            stripOrganizations(under: e.code, seq: target)
        case .disciplineImposed(let e):
            putDiscipline(e.disciplineId, nil)
            strip(e.subject, seq: target)
        case .disciplineAppealed(let e):
            guard var d = disciplines[e.disciplineId] else { return }
            d.appeals.removeAll { $0.seq == target }
            putDiscipline(e.disciplineId, d)
        case .disciplineRevised(let e):
            guard var d = disciplines[e.disciplineId] else { return }
            d.revisions.removeAll { $0.seq == target }
            putDiscipline(e.disciplineId, d)
            strip(d.subject, seq: target)
        case .meetingHeld(let e):
            tallyMeeting(cell: e.cell, kind: e.kind, on: occurredOn, delta: -1)
        case .qualityEvaluated(let e): strip(e.subject, seq: target)
        case .commended(let e): strip(e.subject, seq: target)
        case .eventRetracted:
            assertionFailure("retraction of a retraction (\(target))")
        default:
            guard let id = event.memberId else { return }
            stripMember(id, seq: target)
        }
    }

    private mutating func strip(_ subject: Subject, seq: UInt64) {
        switch subject {
        case .member(let id): stripMember(id, seq: seq)
        case .organization(let code): stripOrganizations(under: code, seq: seq)
        }
    }

    private mutating func stripMember(_ id: String, seq: UInt64) {
        guard let m = currentMember(id), m.timeline.contains(where: { $0.seq == seq }) else { return }
        putMember(id, m.removing(seq: seq))
    }

    /// Removes the entries of `seq` from `code` and every organization under it.
    private mutating func stripOrganizations(under code: String, seq: UInt64) {
        for c in subtree(of: code) {
            guard let o = organizations[c], o.timeline.contains(where: { $0.seq == seq }) else { continue }
            putOrganization(c, o.removing(seq: seq))
        }
    }
}
