/// `EventRetracted`:
/// - the seq exists in the log (≤ the last applied seq) (`retraction-target-not-found`),
///   is not itself a retraction (`retraction-of-retraction`) and is not retracted yet
///   (`already-retracted`);
/// - no later non-retracted event depends on it (`retraction-has-dependents`, naming one):
///   - a creation (OrganizationRegistered, MemberRegistered, MemberAdmitted, InspectionFiled,
///     DisciplineImposed) is depended on by every later event that names the entity;
///   - a change of standing is depended on by the later events of the same history: a member
///     event by the member's later timeline entries (its stream, plus disciplines on it);
///     an organization's dissolution by the organization's later timeline entries; an appeal
///     or revision by the discipline's later appeals and revisions; a revision that reinstated a
///     member or organizations also by every later event naming them;
///   - leaf events (MeetingHeld, QualityEvaluated, Commended, TrainingCompleted,
///     MemberTaskAssigned) and InspectionConcluded have no dependents.
///   Remedy: retract the dependents first, latest first.
/// Meetings accepted while a since-retracted transfer was in force stay as recorded: they
/// were judged by the ledger as it was, and meetings are leaf facts about a cell.
extension DomainState {
    func checkEventRetracted(_ e: EventRetracted, lookup: some EventLookup) throws(DomainError) {
        guard e.seq <= appliedSeq, let (target, _) = lookup.storedEvent(seq: e.seq) else {
            throw DomainError(
                .retractionTargetNotFound, "data.seq is \(e.seq); the ledger holds events 1 to \(appliedSeq)", field: "data.seq")
        }
        if case .eventRetracted = target {
            throw DomainError(
                .retractionOfRetraction, "event \(e.seq) is a retraction; a retraction cannot be retracted", field: "data.seq")
        }
        if let by = retracted[e.seq] {
            throw DomainError(.alreadyRetracted, "event \(e.seq) was already retracted by event \(by)", field: "data.seq")
        }
        if let dependent = dependent(of: target, seq: e.seq, lookup: lookup) {
            throw DomainError(
                .retractionHasDependents,
                "event \(e.seq) (\(target.type.rawValue)) has a later event that depends on it: \(dependent); retract that first",
                field: "data.seq")
        }
    }

    /// One non-retracted later event that depends on `event` (stored as `seq`), or nil.
    public func dependent(of event: DomainEvent, seq: UInt64, lookup: some EventLookup) -> UInt64? {
        if let created = event.createdEntity {
            return dependentReference(to: created, after: seq, lookup: lookup)
        }
        switch event {
        case .organizationDissolved(let e):
            return subtree(of: e.code).lazy.compactMap { self.organizations[$0]?.timeline.first { $0.seq > seq }?.seq }.min()
        case .disciplineAppealed(let e):
            return disciplines[e.disciplineId]?.streamSeqs.first { $0 > seq }
        case .disciplineRevised(let e):
            guard let d = disciplines[e.disciplineId] else { return nil }
            var found = d.streamSeqs.filter { $0 > seq }
            for ref in reinstated(by: seq, discipline: d) {
                if let s = dependentReference(to: ref, after: seq, lookup: lookup) { found.append(s) }
            }
            return found.min()
        default:
            guard !event.isLeaf, let id = event.memberId, let m = members[id] else { return nil }
            return m.timeline.first { $0.seq > seq }?.seq
        }
    }

    /// The entities a revision stored as `seq` reinstated.
    func reinstated(by seq: UInt64, discipline d: Discipline) -> [EntityRef] {
        switch d.subject {
        case .member(let id):
            guard let m = members[id], m.timeline.contains(where: { $0.seq == seq }) else { return [] }
            let before = Member(id: id, timeline: m.timeline.lazy.filter { $0.seq < seq })
            return before?.departure == .expelled(disciplineId: d.id) ? [.member(id)] : []
        case .organization(let code):
            return subtree(of: code).filter { c in
                organizations[c]?.timeline.contains { entry in
                    guard entry.seq == seq, case .reinstated = entry.change else { return false }
                    return true
                } ?? false
            }.map { EntityRef.organization($0) }
        }
    }

    /// The latest non-retracted event after `seq` that names `entity`, or nil.
    ///
    /// Uses the entity's `ReferenceTracker`; when its remembered latest reference was itself
    /// retracted, walks the log backwards through `lookup` (only while refusing a retraction).
    public func dependentReference(to entity: EntityRef, after seq: UInt64, lookup: some EventLookup) -> UInt64? {
        let tracker: ReferenceTracker?
        switch entity {
        case .organization(let c): tracker = organizations[c]?.references
        case .member(let m): tracker = members[m]?.references
        case .inspection(let i): tracker = inspections[i]?.references
        case .discipline(let d): tracker = disciplines[d]?.references
        }
        guard let tracker, tracker.count > 0, tracker.latest > seq else { return nil }
        var candidate = tracker.latest
        while candidate > seq {
            if !isRetracted(candidate), let (e, _) = lookup.storedEvent(seq: candidate), e.references.contains(entity) {
                return candidate
            }
            candidate -= 1
        }
        return nil
    }
}
