import HashTreeCollections

extension DomainState {
    /// Applies an accepted event as event number `seq` (checked just now, or
    /// replayed from the log in seq order).
    ///
    /// Precondition: `seq` > `appliedSeq`. Apply does not re-check the rules: an
    /// event that would break them (a damaged log) is applied as far as it makes
    /// sense and trips an assertion in debug builds.
    public mutating func apply(_ event: DomainEvent, seq: UInt64, occurredOn date: BusinessDate, lookup: some EventLookup) {
        precondition(seq > appliedSeq, "apply of seq \(seq) after seq \(appliedSeq): events apply in increasing seq order")
        switch event {
        case .organizationRegistered(let e):
            forgetBufferedOrganization(e.code)  // a new organization starts with nothing counted
            let entry = OrganizationTimelineEntry(
                seq: seq, occurredOn: date, change: .registered(name: e.name, kind: e.kind, parent: e.parent))
            putOrganization(e.code, Organization(code: e.code, timeline: [entry]))
        case .organizationDissolved(let e):
            dissolve(e.code, seq: seq, on: date, change: .dissolved(reason: e.reason))
        case .memberRegistered(let e):
            createMember(e.memberId, seq: seq, on: date,
                         change: .registered(name: e.name, cell: e.cell, status: e.status, birthYear: e.birthYear))
        case .memberAdmitted(let e):
            createMember(e.memberId, seq: seq, on: date, change: .admitted(name: e.name, cell: e.cell))
        case .memberConfirmed(let e): appendMember(e.memberId, seq, date, .confirmed)
        case .memberTransferred(let e):
            let keep = Set([e.toCell] + ancestors(of: e.toCell))
            let ended = (currentMember(e.memberId)?.roles.keys.filter { !keep.contains($0.organization) } ?? []).sorted()
            appendMember(e.memberId, seq, date, .transferred(toCell: e.toCell, kind: e.kind, endedRoles: ended))
        case .memberRoleAssigned(let e):
            appendMember(e.memberId, seq, date, .roleAssigned(RoleKey(organization: e.organization, role: e.role)))
        case .memberRoleEnded(let e):
            appendMember(e.memberId, seq, date, .roleEnded(RoleKey(organization: e.organization, role: e.role)))
        case .memberTaskAssigned(let e):
            appendMember(e.memberId, seq, date, .taskAssigned(task: e.task, assignedBy: e.assignedBy, dueOn: e.dueOn))
        case .memberRetired(let e): appendMember(e.memberId, seq, date, .retired)
        case .memberTransferredToResidence(let e):
            appendMember(e.memberId, seq, date, .transferredToResidence(residenceOrganization: e.residenceOrganization))
        case .memberRemoved(let e): appendMember(e.memberId, seq, date, .removed(e.reason))
        case .trainingCompleted(let e):
            appendMember(e.memberId, seq, date, .trainingCompleted(course: e.course, by: e.by))
        case .meetingHeld(let e):
            if replayReferences != nil {
                applyBufferedMeeting(e, seq: seq, on: date)  // its references too
                putAppliedSeq(seq)
                return
            }
            tallyMeeting(cell: e.cell, kind: e.kind, on: date, delta: 1)
        case .inspectionFiled(let e):
            putInspection(e.inspectionId, Inspection(
                id: e.inspectionId, by: e.by, kind: e.kind, targetOrganizations: e.targetOrganizations,
                targetMembers: e.targetMembers ?? [], team: e.team ?? [], findings: e.findings, filedSeq: seq,
                filedOn: date))
        case .inspectionConcluded(let e):
            guard var i = inspections[e.inspectionId] else { return missing(event, seq) }
            i.conclusion = .init(seq: seq, on: date, text: e.conclusion, violationsFound: e.violationsFound)
            putInspection(e.inspectionId, i)
        case .disciplineImposed(let e):
            applyDisciplineImposed(e, seq: seq, on: date)
        case .disciplineAppealed(let e):
            guard var d = disciplines[e.disciplineId] else { return missing(event, seq) }
            d.appeals.append(.init(seq: seq, on: date, grounds: e.grounds))
            putDiscipline(e.disciplineId, d)
        case .disciplineRevised(let e):
            applyDisciplineRevised(e, seq: seq, on: date)
        case .qualityEvaluated(let e):
            switch e.subject {
            case .member(let id): appendMember(id, seq, date, .qualityEvaluated(year: e.year, rating: e.rating))
            case .organization(let c): appendOrganization(c, seq, date, .qualityEvaluated(year: e.year, rating: e.rating))
            }
        case .commended(let e):
            switch e.subject {
            case .member(let id): appendMember(id, seq, date, .commended(by: e.by, title: e.title))
            case .organization(let c): appendOrganization(c, seq, date, .commended(by: e.by, title: e.title))
            }
        case .eventRetracted(let e):
            applyRetraction(of: e.seq, by: seq, lookup: lookup)
        }
        event.forEachReference { adjustReference($0, seq: seq, adding: true) }
        putAppliedSeq(seq)
    }

    // MARK: Pieces

    private mutating func createMember(_ id: String, seq: UInt64, on date: BusinessDate, change: MemberChange) {
        // A new member starts with no references (a replay's table takes them from it too).
        putMember(id, Member(id: id, timeline: [MemberTimelineEntry(seq: seq, occurredOn: date, change: change)]))
    }

    /// Appends one entry to a member's timeline, in place (a replay pays O(1), not a
    /// copy of the timeline), keeping `membersByCell` in step and the undo log.
    mutating func appendMember(_ id: String, _ seq: UInt64, _ date: BusinessDate, _ change: MemberChange) {
        if replayReferences != nil {
            // In the replay's table, in place (never recording: a replay opens no savepoint).
            guard let cells = appendBufferedMember(id, MemberTimelineEntry(seq: seq, occurredOn: date, change: change)) else {
                return assertionFailure("member event for unknown member \(id) at \(seq)")
            }
            return moveBetweenCells(id, from: cells.old, to: cells.new)
        }
        // In place, where it lies in its trie node: not copied, nor moved out and back.
        let recording = self.recording
        let cells = members.modifyExisting(id, placeholder: { .placeholder(id) }) { member -> (old: String, new: String, entries: Int) in
            let oldCell = member.cell
            let entries = recording ? member.timeline.count : 0  // (reading the timeline copies it)
            member.apply(MemberTimelineEntry(seq: seq, occurredOn: date, change: change))
            return (oldCell, member.cell, entries)
        }
        guard let cells else { return assertionFailure("member event for unknown member \(id) at \(seq)") }
        if recording {
            // Undone by re-folding the entries before this one: keeping a copy of the
            // member instead would make every later change in the savepoint copy it.
            let entries = cells.entries
            undoLog.append(UndoStep { state in
                guard let current = state.members[id] else { return }
                state.storeMember(id, current.keepingFirst(entries))
            })
        }
        moveBetweenCells(id, from: cells.old, to: cells.new)
    }

    /// Keeps `membersByCell` in step with a member's change of cell (none if the cells are equal).
    private mutating func moveBetweenCells(_ id: String, from oldCell: String, to newCell: String) {
        guard newCell != oldCell else { return }
        membersByCell[oldCell]?.remove(id)
        if membersByCell[oldCell]?.isEmpty == true { membersByCell[oldCell] = nil }
        membersByCell[newCell, default: []].insert(id)
    }

    /// Appends one entry to an organization's timeline, in place (parents never change).
    mutating func appendOrganization(_ code: String, _ seq: UInt64, _ date: BusinessDate, _ change: OrganizationChange) {
        let entries = organizations.modifyExisting(code, placeholder: { .placeholder(code) }) { org -> Int in
            let entries = org.timeline.count
            org.apply(OrganizationTimelineEntry(seq: seq, occurredOn: date, change: change))
            return entries
        }
        guard let entries else { return assertionFailure("event for unknown organization \(code) at \(seq)") }
        if recording {
            undoLog.append(UndoStep { state in
                guard let current = state.organizations[code] else { return }
                state.storeOrganization(code, current.keepingFirst(entries))
            })
        }
    }

    /// Dissolves `code` with `change`, and every organization under it not dissolved yet.
    private mutating func dissolve(_ code: String, seq: UInt64, on date: BusinessDate, change: OrganizationChange) {
        for c in subtree(of: code) {
            if c == code {
                appendOrganization(c, seq, date, change)
            } else if organizations[c]?.isDissolved == false {
                appendOrganization(c, seq, date, .dissolvedWithAncestor(ancestor: code))
            }
        }
    }

    private mutating func applyDisciplineImposed(_ e: DisciplineImposed, seq: UInt64, on date: BusinessDate) {
        putDiscipline(e.disciplineId, Discipline(
            id: e.disciplineId, subject: e.subject, form: e.form, decidedBy: e.decidedBy, reason: e.reason,
            inspectionId: e.inspectionId, imposedSeq: seq, imposedOn: date))
        switch e.subject {
        case .member(let id):
            appendMember(id, seq, date, .disciplineImposed(disciplineId: e.disciplineId, form: e.form, decidedBy: e.decidedBy))
        case .organization(let code):
            let change = OrganizationChange.disciplineImposed(
                disciplineId: e.disciplineId, form: e.form, decidedBy: e.decidedBy)
            if e.form == .dissolution {
                dissolve(code, seq: seq, on: date, change: change)
            } else {
                appendOrganization(code, seq, date, change)
            }
        }
    }

    private mutating func applyDisciplineRevised(_ e: DisciplineRevised, seq: UInt64, on date: BusinessDate) {
        guard var d = disciplines[e.disciplineId] else { return missing(.disciplineRevised(e), seq) }
        let formBefore = d.currentForm
        d.revisions.append(.init(seq: seq, on: date, outcome: e.outcome, newForm: e.newForm))
        putDiscipline(e.disciplineId, d)
        let change = (disciplineId: e.disciplineId, outcome: e.outcome, newForm: e.newForm)
        switch d.subject {
        case .member(let id):
            appendMember(id, seq, date, .disciplineRevised(disciplineId: change.disciplineId, outcome: change.outcome, newForm: change.newForm))
        case .organization(let code):
            appendOrganization(code, seq, date, .disciplineRevised(disciplineId: change.disciplineId, outcome: change.outcome, newForm: change.newForm))
            if formBefore == .dissolution, e.outcome != .upheld {
                for c in subtree(of: code) where organizations[c]?.dissolution?.seq == d.imposedSeq {
                    appendOrganization(c, seq, date, .reinstated(dissolutionSeq: d.imposedSeq))
                }
            }
        }
    }

    /// Counts a meeting (or, `delta` −1, uncounts a retracted one) in its
    /// cell's quarter (aside while a replay buffers: `DomainState+ReplayReferences`).
    mutating func tallyMeeting(cell: String, kind: MeetingKind, on date: BusinessDate, delta: Int32) {
        let q = date.quarterIndex
        if replayReferences != nil {
            return tallyBufferedMeeting(cell: cell, kind: kind, quarter: q, delta: delta)
        }
        // One lookup, in place: reading the organization out first copied it
        // (every field retained) for each meeting.
        let previous = organizations.modifyExisting(cell, placeholder: { .placeholder(cell) }) { org -> QuarterTally? in
            let old = org.meetingQuarters[q]
            var tally = old ?? QuarterTally()
            switch kind {
            case .regular: tally.regular += delta
            case .thematic: tally.thematic += delta
            }
            org.meetingQuarters[q] = tally.regular == 0 && tally.thematic == 0 ? nil : tally
            return old
        }
        guard let previous else { return assertionFailure("meeting of unknown cell \(cell)") }
        if recording { undoLog.append(UndoStep { $0.organizations[cell]?.meetingQuarters[q] = previous }) }
    }

    /// Counts (or, for a retraction, uncounts) one reference. Mutates the tracker in
    /// place and records only the tracker in the undo log: a meeting touches every
    /// participant, so this is the hottest write of a replay.
    mutating func adjustReference(_ ref: EntityRef, seq: UInt64, adding: Bool) {
        switch ref {
        case .organization(let c):
            if replayReferences != nil {
                adjustBufferedOrganizationReference(c, seq: seq, adding: adding)
                return
            }
            if let old = Self.adjust(&organizations, c, seq: seq, adding: adding, placeholder: { .placeholder(c) }),
               recording
            {
                undoLog.append(UndoStep { $0.organizations[c]?.references = old })
            }
        case .member(let id):
            if replayReferences != nil {
                adjustBufferedMemberReference(id, seq: seq, adding: adding)
                return
            }
            if let old = Self.adjust(&members, id, seq: seq, adding: adding, placeholder: { .placeholder(id) }),
               recording
            {
                undoLog.append(UndoStep { $0.members[id]?.references = old })
            }
        case .inspection(let i):
            if let old = Self.adjust(&inspections, i, seq: seq, adding: adding), recording {
                undoLog.append(UndoStep { $0.inspections[i]?.references = old })
            }
        case .discipline(let d):
            if let old = Self.adjust(&disciplines, d, seq: seq, adding: adding), recording {
                undoLog.append(UndoStep { $0.disciplines[d]?.references = old })
            }
        }
    }

    /// Adjusts one entity's tracker inside the map (the entity is moved out of
    /// its trie node and back, never copied); returns the tracker as it was,
    /// or nil if the map has no such entity.
    private static func adjust<Entity: ReferenceCounted>(
        _ map: inout TreeDictionary<String, Entity>, _ key: String, seq: UInt64, adding: Bool,
        placeholder: (() -> Entity)? = nil
    ) -> ReferenceTracker? {
        func change(_ entity: inout Entity) -> ReferenceTracker {
            let old = entity.references
            if adding { entity.references.add(seq) } else { entity.references.remove(seq) }
            return old
        }
        if let placeholder { return map.modifyExisting(key, placeholder: placeholder, change) }
        return map.modifyExisting(key, change)
    }

    func missing(_ event: DomainEvent, _ seq: UInt64) {
        assertionFailure("event \(seq) (\(event.type.rawValue)) refers to something the state does not hold")
    }
}
