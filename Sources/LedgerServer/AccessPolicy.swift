public import LedgerWire

/// Who a `[roles]` entry names: `user:NAME`, `group:NAME`, `uid:N` or `gid:N`.
public enum Principal: Sendable, Hashable, CustomStringConvertible {
    case user(String)
    case group(String)
    case uid(UInt32)
    case gid(UInt32)

    /// Parses one entry; nil when it has none of the four forms.
    public init?(parsing text: String) {
        guard let colon = text.firstIndex(of: ":") else { return nil }
        let kind = text[..<colon]
        let value = String(text[text.index(after: colon)...])
        guard !value.isEmpty, value.allSatisfy(Self.isNameCharacter) else { return nil }
        switch kind {
        case "user": self = .user(value)
        case "group": self = .group(value)
        case "uid":
            guard value.allSatisfy(\.isASCIIDigit), let number = UInt32(value) else { return nil }
            self = .uid(number)
        case "gid":
            guard value.allSatisfy(\.isASCIIDigit), let number = UInt32(value) else { return nil }
            self = .gid(number)
        default: return nil
        }
    }

    /// The characters of POSIX portable user and group names, plus `$`
    /// (Samba machine accounts) and `@` (some directory services).
    private static func isNameCharacter(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character.isNumber || "._-$@".contains(character))
    }

    public var description: String {
        switch self {
        case .user(let name): return "user:\(name)"
        case .group(let name): return "group:\(name)"
        case .uid(let number): return "uid:\(number)"
        case .gid(let number): return "gid:\(number)"
        }
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}

/// One `[roles]` grant: a role for a principal, and where it was written
/// ("/etc/ledger/ledgerd.conf:14") for warnings.
public struct RoleGrant: Sendable, Hashable {
    public let role: Role
    public let principal: Principal
    public let origin: String

    public init(role: Role, principal: Principal, origin: String = "") {
        self.role = role
        self.principal = principal
        self.origin = origin
    }
}

/// Maps a peer's uid and groups to its roles.
///
/// Names are resolved to ids once, when the policy is built (at start and on
/// SIGHUP), so a request costs two dictionary lookups and never waits on NSS.
/// A name that does not resolve is a warning, not an error: the daemon must
/// still start when a group is created later; reload to pick it up.
/// uid 0 is always admin: root can read the data directory anyway.
public struct AccessPolicy: Sendable, Hashable {
    private var rolesByUID: [UInt32: Set<Role>]
    private var rolesByGID: [UInt32: Set<Role>]

    /// Only root has access.
    public static let rootOnly = AccessPolicy(rolesByUID: [:], rolesByGID: [:])

    private init(rolesByUID: [UInt32: Set<Role>], rolesByGID: [UInt32: Set<Role>]) {
        self.rolesByUID = rolesByUID
        self.rolesByGID = rolesByGID
    }

    /// Builds a policy, returning warnings for names that did not resolve.
    public static func resolve(
        _ grants: [RoleGrant], accounts: some AccountResolver = SystemAccounts()
    ) -> (policy: AccessPolicy, warnings: [String]) {
        var policy = AccessPolicy.rootOnly
        var warnings: [String] = []
        for grant in grants {
            let place = grant.origin.isEmpty ? "" : "\(grant.origin): "
            switch grant.principal {
            case .uid(let uid):
                policy.rolesByUID[uid, default: []].insert(grant.role)
            case .gid(let gid):
                policy.rolesByGID[gid, default: []].insert(grant.role)
            case .user(let name):
                if let uid = accounts.uid(forUser: name) {
                    policy.rolesByUID[uid, default: []].insert(grant.role)
                } else {
                    warnings.append("\(place)[roles] \(grant.role.rawValue): unknown user '\(name)'; the entry grants nothing until a reload finds it")
                }
            case .group(let name):
                if let gid = accounts.gid(forGroup: name) {
                    policy.rolesByGID[gid, default: []].insert(grant.role)
                } else {
                    warnings.append("\(place)[roles] \(grant.role.rawValue): unknown group '\(name)'; the entry grants nothing until a reload finds it")
                }
            }
        }
        return (policy, warnings)
    }

    /// Every role of a peer with this uid and these groups (empty: refused).
    public func roles(uid: UInt32, groups: [UInt32]) -> Set<Role> {
        if uid == 0 { return [.admin] }
        var roles = rolesByUID[uid] ?? []
        for gid in groups {
            if let granted = rolesByGID[gid] { roles.formUnion(granted) }
        }
        return roles
    }

    /// The highest-ranked role, for display.
    public func highestRole(uid: UInt32, groups: [UInt32]) -> Role? {
        roles(uid: uid, groups: groups).max()
    }
}
