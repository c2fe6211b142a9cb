/// Snapshot coding of timeline entries: seq, day, a tag per change, then its fields.
/// Tags are part of snapshot format 1: never renumber, only add.
extension DomainState {
    static func write(_ e: MemberTimelineEntry, into w: inout SnapshotWriter) {
        w.uint(e.seq)
        w.date(e.occurredOn)
        switch e.change {
        case .registered(let name, let cell, let status, let birthYear):
            w.u8(1); w.string(name); w.string(cell); w.raw(status); w.optional(birthYear) { $0.int($1) }
        case .admitted(let name, let cell):
            w.u8(2); w.string(name); w.string(cell)
        case .confirmed:
            w.u8(3)
        case .transferred(let toCell, let kind, let ended):
            w.u8(4); w.string(toCell); w.raw(kind); w.count(ended.count)
            for r in ended { w.string(r.organization); w.raw(r.role) }
        case .roleAssigned(let key):
            w.u8(5); w.string(key.organization); w.raw(key.role)
        case .roleEnded(let key):
            w.u8(6); w.string(key.organization); w.raw(key.role)
        case .taskAssigned(let task, let by, let due):
            w.u8(7); w.string(task); w.optional(by) { $0.string($1) }; w.optional(due) { $0.date($1) }
        case .retired:
            w.u8(8)
        case .transferredToResidence(let residence):
            w.u8(9); w.string(residence)
        case .removed(let reason):
            w.u8(10); w.raw(reason)
        case .disciplineImposed(let id, let form, let by):
            w.u8(11); w.string(id); w.raw(form); w.string(by)
        case .disciplineRevised(let id, let outcome, let newForm):
            w.u8(12); w.string(id); w.raw(outcome); w.optional(newForm) { $0.raw($1) }
        case .qualityEvaluated(let year, let rating):
            w.u8(13); w.int(year); w.raw(rating)
        case .commended(let by, let title):
            w.u8(14); w.string(by); w.string(title)
        case .trainingCompleted(let course, let by):
            w.u8(15); w.string(course); w.string(by)
        }
    }

    static func readMemberEntry(_ r: inout SnapshotReader) throws(DomainError) -> MemberTimelineEntry {
        let seq = try r.uint()
        let on = try r.date()
        let change: MemberChange
        let tag = try r.u8()
        switch tag {
        case 1:
            change = .registered(
                name: try r.string(), cell: try r.string(), status: try r.raw(MemberStatus.self),
                birthYear: try r.optional { (r: inout SnapshotReader) throws(DomainError) in try r.intValue() })
        case 2: change = .admitted(name: try r.string(), cell: try r.string())
        case 3: change = .confirmed
        case 4:
            let toCell = try r.string()
            let kind = try r.raw(TransferKind.self)
            var ended: [RoleKey] = []
            for _ in 0..<(try r.count()) { ended.append(RoleKey(organization: try r.string(), role: try r.raw(Role.self))) }
            change = .transferred(toCell: toCell, kind: kind, endedRoles: ended)
        case 5: change = .roleAssigned(RoleKey(organization: try r.string(), role: try r.raw(Role.self)))
        case 6: change = .roleEnded(RoleKey(organization: try r.string(), role: try r.raw(Role.self)))
        case 7:
            change = .taskAssigned(
                task: try r.string(),
                assignedBy: try r.optional { (r: inout SnapshotReader) throws(DomainError) in try r.string() },
                dueOn: try r.optional { (r: inout SnapshotReader) throws(DomainError) in try r.date() })
        case 8: change = .retired
        case 9: change = .transferredToResidence(residenceOrganization: try r.string())
        case 10: change = .removed(try r.raw(RemovalReason.self))
        case 11: change = .disciplineImposed(disciplineId: try r.string(), form: try r.raw(DisciplineForm.self), decidedBy: try r.string())
        case 12:
            change = .disciplineRevised(
                disciplineId: try r.string(), outcome: try r.raw(RevisionOutcome.self),
                newForm: try r.optional { (r: inout SnapshotReader) throws(DomainError) in try r.raw(DisciplineForm.self) })
        case 13: change = .qualityEvaluated(year: try r.intValue(), rating: try r.raw(QualityRating.self))
        case 14: change = .commended(by: try r.string(), title: try r.string())
        case 15: change = .trainingCompleted(course: try r.string(), by: try r.string())
        default: throw SnapshotReader.damaged("unknown member change tag \(tag)")
        }
        return MemberTimelineEntry(seq: seq, occurredOn: on, change: change)
    }

    static func write(_ e: OrganizationTimelineEntry, into w: inout SnapshotWriter) {
        w.uint(e.seq)
        w.date(e.occurredOn)
        switch e.change {
        case .registered(let name, let kind, let parent):
            w.u8(1); w.string(name); w.raw(kind); w.optional(parent) { $0.string($1) }
        case .dissolved(let reason):
            w.u8(2); w.string(reason)
        case .dissolvedWithAncestor(let ancestor):
            w.u8(3); w.string(ancestor)
        case .disciplineImposed(let id, let form, let by):
            w.u8(4); w.string(id); w.raw(form); w.string(by)
        case .disciplineRevised(let id, let outcome, let newForm):
            w.u8(5); w.string(id); w.raw(outcome); w.optional(newForm) { $0.raw($1) }
        case .reinstated(let dissolutionSeq):
            w.u8(6); w.uint(dissolutionSeq)
        case .qualityEvaluated(let year, let rating):
            w.u8(7); w.int(year); w.raw(rating)
        case .commended(let by, let title):
            w.u8(8); w.string(by); w.string(title)
        }
    }

    static func readOrganizationEntry(_ r: inout SnapshotReader) throws(DomainError) -> OrganizationTimelineEntry {
        let seq = try r.uint()
        let on = try r.date()
        let change: OrganizationChange
        let tag = try r.u8()
        switch tag {
        case 1:
            change = .registered(
                name: try r.string(), kind: try r.raw(OrganizationKind.self),
                parent: try r.optional { (r: inout SnapshotReader) throws(DomainError) in try r.string() })
        case 2: change = .dissolved(reason: try r.string())
        case 3: change = .dissolvedWithAncestor(ancestor: try r.string())
        case 4: change = .disciplineImposed(disciplineId: try r.string(), form: try r.raw(DisciplineForm.self), decidedBy: try r.string())
        case 5:
            change = .disciplineRevised(
                disciplineId: try r.string(), outcome: try r.raw(RevisionOutcome.self),
                newForm: try r.optional { (r: inout SnapshotReader) throws(DomainError) in try r.raw(DisciplineForm.self) })
        case 6: change = .reinstated(dissolutionSeq: try r.uint())
        case 7: change = .qualityEvaluated(year: try r.intValue(), rating: try r.raw(QualityRating.self))
        case 8: change = .commended(by: try r.string(), title: try r.string())
        default: throw SnapshotReader.damaged("unknown organization change tag \(tag)")
        }
        return OrganizationTimelineEntry(seq: seq, occurredOn: on, change: change)
    }
}
