/// Members:
/// - ids are unique (`member-exists`); a member is registered or admitted into an existing,
///   not dissolved cell registered on or before the event's date (`organization-not-found`,
///   `not-a-cell`, `organization-dissolved`, `dated-before-creation`);
/// - every member event (confirmation, transfer, roles, tasks, retirement, transfer to
///   residence, removal, training, and ratings, commendations and disciplines of a member)
///   needs an active member: one not removed, expelled or transferred to residence
///   (`member-not-found`, `member-not-active`); a retired member is still active;
/// - a change of standing may not be dated before the member's latest one (`dated-out-of-order`);
///   leaf events (tasks, trainings, ratings, commendations) only not before the registration;
/// - `MemberConfirmed` only for a probationary member (`not-probationary`);
/// - `MemberTransferred` to an existing, not dissolved cell other than the current one (`same-cell`);
/// - roles only in the member's cell or an organization above it (`role-organization-not-allowed`),
///   not twice (`role-already-held`); ending needs the role held (`role-not-held`);
/// - `MemberRetired` once (`already-retired`); `MemberTransferredToResidence` once (the member leaves);
/// - a task's `dueOn` is not before the day it was assigned (`due-before-assignment`).
extension DomainState {
    func checkMemberCreation(memberId: String, cell: String, on date: BusinessDate) throws(DomainError) {
        if members[memberId] != nil {
            throw DomainError(
                .memberExists, "member '\(memberId)' is already registered; ids are unique, choose another",
                field: "data.memberId")
        }
        _ = try requireCell(cell, field: "data.cell", on: date)
    }

    /// The active member of a member event, checked for date order.
    func memberForEvent(_ id: String, on date: BusinessDate, leaf: Bool) throws(DomainError) -> Member {
        let member = try requireActiveMember(id, field: "data.memberId", on: date)
        if !leaf { try requireInOrder(member, on: date, field: "occurredOn") }
        return member
    }

    func checkMemberEvent(_ event: DomainEvent, on date: BusinessDate) throws(DomainError) {
        switch event {
        case .memberConfirmed(let e):
            let m = try memberForEvent(e.memberId, on: date, leaf: false)
            guard m.status == .probationary else {
                throw DomainError(
                    .notProbationary, "member '\(m.id)' is already official; only a probationary member is confirmed",
                    field: "data.memberId")
            }
        case .memberTransferred(let e):
            let m = try memberForEvent(e.memberId, on: date, leaf: false)
            _ = try requireCell(e.toCell, field: "data.toCell", on: date)
            guard e.toCell != m.cell else {
                throw DomainError(
                    .sameCell, "member '\(m.id)' is already in cell '\(m.cell)'; a transfer needs another cell",
                    field: "data.toCell")
            }
        case .memberRoleAssigned(let e):
            let m = try memberForEvent(e.memberId, on: date, leaf: false)
            _ = try requireOrganization(e.organization, field: "data.organization", on: date)
            guard isSelfOrAncestor(e.organization, of: m.cell) else {
                throw DomainError(
                    .roleOrganizationNotAllowed,
                    "member '\(m.id)' is in cell '\(m.cell)'; a role is held in that cell or an organization above it (\(ancestors(of: m.cell).joined(separator: ", "))), not in '\(e.organization)'",
                    field: "data.organization")
            }
            let key = RoleKey(organization: e.organization, role: e.role)
            if let since = m.roles[key] {
                throw DomainError(
                    .roleAlreadyHeld, "member '\(m.id)' has been \(e.role.rawValue) of '\(e.organization)' since \(since)",
                    field: "data.role")
            }
        case .memberRoleEnded(let e):
            let m = try memberForEvent(e.memberId, on: date, leaf: false)
            guard m.roles[RoleKey(organization: e.organization, role: e.role)] != nil else {
                let held = m.roles.keys.sorted().map { "\($0.role.rawValue) of \($0.organization)" }
                throw DomainError(
                    .roleNotHeld,
                    "member '\(m.id)' is not \(e.role.rawValue) of '\(e.organization)'; roles held: \(held.isEmpty ? "none" : held.joined(separator: ", "))",
                    field: "data.role")
            }
        case .memberTaskAssigned(let e):
            _ = try memberForEvent(e.memberId, on: date, leaf: true)
            if let by = e.assignedBy { _ = try requireOrganization(by, field: "data.assignedBy", on: date) }
            if let due = e.dueOn, due < date {
                throw DomainError(
                    .dueBeforeAssignment, "data.dueOn is \(due), before the task was assigned (\(date))", field: "data.dueOn")
            }
        case .memberRetired(let e):
            let m = try memberForEvent(e.memberId, on: date, leaf: false)
            if let retired = m.retiredOn {
                throw DomainError(.alreadyRetired, "member '\(m.id)' retired on \(retired); a member retires once", field: "data.memberId")
            }
        case .memberTransferredToResidence(let e):
            _ = try memberForEvent(e.memberId, on: date, leaf: false)
        case .memberRemoved(let e):
            _ = try memberForEvent(e.memberId, on: date, leaf: false)
        case .trainingCompleted(let e):
            _ = try memberForEvent(e.memberId, on: date, leaf: true)
            _ = try requireOrganization(e.by, field: "data.by", on: date)
        default:
            preconditionFailure("checkMemberEvent called with \(event.type.rawValue)")
        }
    }
}
