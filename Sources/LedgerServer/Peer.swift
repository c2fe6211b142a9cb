public import LedgerWire

/// The process at the other end of a connection, as the kernel vouches for it
/// (SO_PEERCRED), with the roles the current `AccessPolicy` gives it.
///
/// The handler stores `uid` and `userName` as an event's actor. Roles are
/// computed per request, so a SIGHUP reload applies to open connections too.
public struct Peer: Sendable, Hashable {
    /// The peer's process id at `connect(2)` time (0 if unknown).
    public let pid: Int32
    /// The peer's effective uid at `connect(2)` time.
    public let uid: UInt32
    /// The peer's effective gid at `connect(2)` time.
    public let gid: UInt32
    /// The user name of `uid` from the password database, or the uid in
    /// decimal when the uid has no entry (a container's foreign uid).
    public let userName: String
    /// `gid` and the supplementary groups of `userName` in the group database
    /// (getgrouplist(3)), sorted. The group database rather than the peer
    /// process's own groups, so adding a user to a group takes effect on
    /// their next connection without logging in again.
    public let groups: [UInt32]
    /// Every role the policy gives this peer (empty: no access).
    public let roles: Set<Role>

    public init(pid: Int32, uid: UInt32, gid: UInt32, userName: String, groups: [UInt32], roles: Set<Role>) {
        self.pid = pid
        self.uid = uid
        self.gid = gid
        self.userName = userName
        self.groups = groups
        self.roles = roles
    }

    /// The highest-ranked role, for display; use `roles.permit(_:)` for checks.
    public var role: Role? { roles.max() }

    /// The same peer with other roles (after a policy reload).
    public func with(roles: Set<Role>) -> Peer {
        Peer(pid: pid, uid: uid, gid: gid, userName: userName, groups: groups, roles: roles)
    }

    /// "an (uid 1000)", for messages and logs.
    public var displayName: String { "\(userName) (uid \(uid))" }
}
