/// Organizations:
/// - codes are unique (`organization-exists`; a retracted registration frees its code);
/// - the parent exists (`parent-not-found`), is not dissolved (`organization-dissolved`),
///   was registered on or before the event's date (`dated-before-creation`) and fits the
///   hierarchy bloc > committee > cell, a cell sitting under a committee or a bloc
///   (`hierarchy-violation`). A bloc has no parent (decoding);
/// - a dissolved organization takes no new events but its retraction: it cannot be dissolved
///   again, named as a parent, cell, `by`, `decidedBy`, `assignedBy`, role organization, target
///   or subject (`organization-dissolved`);
/// - dissolving an organization dissolves every organization under it that is not dissolved
///   yet, by the same event (retracting it restores them); it may not be dated before the
///   latest change of any of them (`dated-out-of-order`). Members of a dissolved cell stay
///   members of it (active) until transferred: the ledger does not move them.
extension DomainState {
    func checkOrganizationRegistered(_ e: OrganizationRegistered, on date: BusinessDate) throws(DomainError) {
        if organizations[e.code] != nil {
            throw DomainError(
                .organizationExists, "organization '\(e.code)' is already registered; codes are unique, choose another",
                field: "data.code")
        }
        guard let parentCode = e.parent else { return }
        let parent = try requireOrganization(parentCode, field: "data.parent", on: date, notFound: .parentNotFound)
        guard e.kind.allowedParentKinds.contains(parent.kind) else {
            let allowed = e.kind.allowedParentKinds.map(\.rawValue).sorted().joined(separator: " or ")
            throw DomainError(
                .hierarchyViolation,
                "a \(e.kind.rawValue) cannot sit under '\(parentCode)', a \(parent.kind.rawValue); want a parent that is a \(allowed)",
                field: "data.parent")
        }
    }

    func checkOrganizationDissolved(_ e: OrganizationDissolved, on date: BusinessDate) throws(DomainError) {
        _ = try requireOrganization(e.code, field: "data.code", on: date)
        try requireDissolutionInOrder(e.code, on: date)
    }
}
