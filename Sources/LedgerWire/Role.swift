/// What a caller may do, from its peer credentials and the config's `[roles]`.
///
/// The order (reader < recorder < auditor < admin) ranks roles for display
/// ("highest role"); it is *not* the permission rule, because recorder and
/// auditor are siblings: a recorder may append but not export, an auditor may
/// export but not append. Use `permits(_:)` for checks.
public enum Role: String, Sendable, Hashable, CaseIterable, Comparable {
    /// Queries and reports.
    case reader
    /// Appends, and everything a reader may do.
    case recorder
    /// Verification, export, proofs, checkpoints, and everything a reader may do.
    case auditor
    /// Everything, including backup, rebuild and reload.
    case admin

    private var rank: Int {
        switch self {
        case .reader: return 0
        case .recorder: return 1
        case .auditor: return 2
        case .admin: return 3
        }
    }

    public static func < (lhs: Role, rhs: Role) -> Bool { lhs.rank < rhs.rank }

    /// Whether a holder of this role may use a verb that requires `required`.
    public func permits(_ required: Role) -> Bool {
        self == .admin || required == .reader || self == required
    }
}

extension Collection<Role> {
    /// Whether any of these roles permits a verb that requires `required`.
    public func permit(_ required: Role) -> Bool {
        contains { $0.permits(required) }
    }
}
