/// Look-ups shared by the rules: each returns the entity or throws the rule it breaks.
extension DomainState {
    /// An organization that exists, was registered on or before `date`, and
    /// (unless `allowDissolved`) is not dissolved.
    ///
    /// Errors: `organization-not-found` (or `notFound` if given), `organization-dissolved`, `dated-before-creation`.
    func requireOrganization(
        _ code: String, field: String, on date: BusinessDate, allowDissolved: Bool = false,
        notFound: DomainError.Code = .organizationNotFound
    ) throws(DomainError) -> Organization {
        guard let org = organizations[code] else {
            throw DomainError(notFound, "\(field) names organization '\(code)', which is not in the ledger; register it first", field: field)
        }
        if !allowDissolved, let d = org.dissolution {
            throw DomainError(
                .organizationDissolved,
                "\(field) names organization '\(code)', dissolved on \(d.on) (event \(d.seq)); a dissolved organization takes no new events",
                field: field)
        }
        guard org.registeredOn <= date else {
            throw DomainError(
                .datedBeforeCreation,
                "\(field) names organization '\(code)', registered on \(org.registeredOn), after this event's date \(date)",
                field: field)
        }
        return org
    }

    /// As `requireOrganization`, and of kind `cell` (error `not-a-cell`).
    func requireCell(_ code: String, field: String, on date: BusinessDate) throws(DomainError) -> Organization {
        let org = try requireOrganization(code, field: field, on: date)
        guard org.kind == .cell else {
            throw DomainError(.notACell, "\(field) names '\(code)', a \(org.kind.rawValue); want a cell", field: field)
        }
        return org
    }

    /// A member who exists and was registered on or before `date`.
    /// Errors: `member-not-found`, `dated-before-creation`.
    /// (`field` is built only for an error: a meeting checks every participant.)
    func requireMember(_ id: String, field: @autoclosure () -> String, on date: BusinessDate) throws(DomainError) -> Member {
        guard let member = members[id] else {
            let field = field()
            throw DomainError(.memberNotFound, "\(field) names member '\(id)', who is not in the ledger; register the member first", field: field)
        }
        guard member.registeredOn <= date else {
            let field = field()
            throw DomainError(
                .datedBeforeCreation,
                "\(field) names member '\(id)', registered on \(member.registeredOn), after this event's date \(date)",
                field: field)
        }
        return member
    }

    /// An active member (not removed, expelled or transferred to residence) registered on or before `date`.
    /// Errors: `member-not-found`, `member-not-active`, `dated-before-creation`.
    func requireActiveMember(_ id: String, field: String, on date: BusinessDate) throws(DomainError) -> Member {
        let member = try requireMember(id, field: field, on: date)
        guard member.isActive else {
            throw DomainError(
                .memberNotActive,
                "member '\(id)' left on \(member.departedOn.map(\.description) ?? "?") (\(Self.describe(member.departure))); a member who left receives no further member events",
                field: field)
        }
        return member
    }

    /// A change of a member's standing may not be dated before the member's latest one.
    func requireInOrder(_ member: Member, on date: BusinessDate, field: String) throws(DomainError) {
        guard date >= member.lastStandingChangeOn else {
            throw DomainError(
                .datedOutOfOrder,
                "member '\(member.id)' changed standing on \(member.lastStandingChangeOn); a later change cannot be dated \(date): record changes in date order",
                field: field)
        }
    }

    /// A dissolution may not be dated before the latest change of standing of the
    /// organization or of any organization under it (it dissolves them all).
    func requireDissolutionInOrder(_ code: String, on date: BusinessDate) throws(DomainError) {
        for c in subtree(of: code) {
            guard let org = organizations[c], !org.isDissolved else { continue }
            if let latest = org.timeline.lazy.filter({ !$0.change.isLeaf }).map(\.occurredOn).max(), latest > date {
                throw DomainError(
                    .datedOutOfOrder,
                    "organization '\(c)'\(c == code ? "" : " (under '\(code)')") changed on \(latest); its dissolution cannot be dated \(date)",
                    field: "occurredOn")
            }
        }
    }

    static func describe(_ departure: Departure?) -> String {
        switch departure {
        case .none: return "active"
        case .transferredToResidence(let r): return "transferred to residence at \(r)"
        case .removed(let reason): return "removed: \(reason.rawValue)"
        case .expelled(let d): return "expelled by discipline \(d)"
        }
    }

    /// Whether `organization` is `cell` or one of its ancestors.
    func isSelfOrAncestor(_ organization: String, of cell: String) -> Bool {
        organization == cell || ancestors(of: cell).contains(organization)
    }
}
