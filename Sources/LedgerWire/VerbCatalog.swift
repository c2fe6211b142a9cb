/// Every verb the daemon serves and the role it requires.
///
/// The server checks a request's verb against this table and the caller's
/// roles *before* the engine sees it, so the engine never handles a verb the
/// caller may not use. Arguments are the engine's business.
public enum VerbCatalog {
    public static let requiredRoles: [String: Role] = [
        // Queries and reports.
        "status": .reader, "pubkey": .reader, "checkpoint": .reader, "org": .reader, "orgs": .reader,
        "members": .reader, "member": .reader, "history": .reader, "meetings": .reader,
        "warnings": .reader, "report": .reader, "ping": .reader,
        // Writes.
        "append": .recorder,
        // Audit.
        "export": .auditor, "verify": .auditor, "prove-inclusion": .auditor, "prove-consistency": .auditor,
        "tail": .auditor, "replay": .auditor, "checkpoints": .auditor,
        // Administration.
        "backup": .admin, "rebuild": .admin, "reload": .admin,
    ]

    /// The role a verb requires, or nil for an unknown verb.
    public static func requiredRole(for verb: String) -> Role? {
        requiredRoles[verb]
    }

    /// All verbs, sorted, for error messages and help.
    public static var verbs: [String] { requiredRoles.keys.sorted() }
}
