/// Every verb the daemon serves and the role it requires.
///
/// The server checks a request's verb against this table and the caller's
/// roles *before* the engine sees it, so the engine never handles a verb the
/// caller may not use. Arguments are the engine's business (their names are
/// listed here, for the engine's handler and the docs).
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

    /// The arguments each verb takes (`args` keys). Any other key is refused
    /// with `bad-arguments`: a misspelt `atomic` or `format` silently ignored
    /// would do what the caller did not ask for.
    public static let arguments: [String: Set<String>] = {
        let query: Set<String> = ["asOf", "atSeq"]
        return [
            "ping": [], "status": [], "pubkey": [], "checkpoint": [], "reload": [], "verify": [], "rebuild": [],
            "org": query.union(["code"]), "orgs": query.union(["under"]), "members": query.union(["org", "all"]),
            "member": query.union(["memberId"]), "history": query.union(["kind", "org", "memberId"]),
            "meetings": query.union(["cell", "from", "to"]), "warnings": query.union(["org"]),
            "report": query.union(["org", "from", "to", "format"]),
            "append": ["events", "atomic"],
            "export": ["fromSeq", "last", "throughSeq"], "tail": ["fromSeq", "last", "follow"],
            "checkpoints": ["fromSize", "limit"], "prove-inclusion": ["seq", "size"],
            "prove-consistency": ["from", "to"], "replay": ["asOf", "atSeq"],
            "backup": ["dest"],
        ]
    }()

    /// The first argument in `args` (sorted) that `verb` does not take, or nil.
    public static func unknownArgument(of verb: String, in args: some Collection<String>) -> String? {
        guard let known = arguments[verb] else { return nil }
        return args.filter { !known.contains($0) }.sorted().first
    }

    /// The role a verb requires, or nil for an unknown verb.
    public static func requiredRole(for verb: String) -> Role? {
        requiredRoles[verb]
    }

    /// All verbs, sorted, for error messages and help.
    public static var verbs: [String] { requiredRoles.keys.sorted() }
}
