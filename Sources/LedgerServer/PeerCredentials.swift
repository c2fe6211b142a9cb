import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif
import LedgerWire
import NIOCore

/// `struct ucred` from <sys/socket.h>. Glibc hides it behind `_GNU_SOURCE`, so
/// it is declared here with the same layout: pid_t, uid_t, gid_t.
struct UCred: Sendable, Hashable {
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var gid: UInt32 = 0
}

/// Reads the kernel's view of a peer and resolves its names and groups.
enum PeerCredentials {
    /// The peer's credentials from SO_PEERCRED on an accepted Unix socket.
    ///
    /// Fails for channels that are not sockets (embedded test channels).
    static func read(from channel: any Channel) -> EventLoopFuture<UCred> {
        assert(MemoryLayout<UCred>.size == 12, "UCred must match struct ucred")
        guard let provider = channel as? any SocketOptionProvider else {
            return channel.eventLoop.makeFailedFuture(ServerError.peerCredentialsUnavailable)
        }
        return provider.unsafeGetSocketOption(
            level: .socket, name: NIOBSDSocket.Option(rawValue: SO_PEERCRED))
    }

    /// The queue system-database lookups run on: NSS (LDAP, sssd) may block,
    /// and Swift's cooperative pool has a thread per core, which every
    /// connection's tasks share.
    static let lookups = DispatchQueue(label: "ledger.peer-lookups", qos: .userInitiated, attributes: .concurrent)

    /// `identify` on the lookup queue.
    static func identifyOffPool(_ credentials: UCred, policy: AccessPolicy) async -> Peer {
        await withCheckedContinuation { continuation in
            lookups.async { continuation.resume(returning: identify(credentials, policy: policy)) }
        }
    }

    /// Builds the peer from its credentials: user name and group list from the
    /// system databases (NSS may block: `identifyOffPool` from async code).
    static func identify(_ credentials: UCred, policy: AccessPolicy) -> Peer {
        let name = SystemAccounts.userName(uid: credentials.uid)
        var groups: Set<UInt32> = [credentials.gid]
        if let name {
            groups.formUnion(SystemAccounts.groupList(userName: name, gid: credentials.gid))
        }
        let sorted = groups.sorted()
        return Peer(
            pid: credentials.pid, uid: credentials.uid, gid: credentials.gid,
            userName: name ?? String(credentials.uid), groups: sorted,
            roles: policy.roles(uid: credentials.uid, groups: sorted))
    }
}

/// A connection's peer, read from the system databases at connect and read
/// again after each reload of the access policy: removing a user from a
/// group and reloading (SIGHUP) then reaches the connections they hold open,
/// not only their next ones. Between reloads, roles come from the cached
/// group list under the current policy.
final class PeerCache: Sendable {
    private let credentials: UCred
    private let identify: @Sendable (UCred, AccessPolicy) async -> Peer
    private let cached: Mutex<(generation: UInt64, peer: Peer)>

    /// `peer` was identified under the policy of `generation`.
    init(credentials: UCred, peer: Peer, generation: UInt64,
         identify: @escaping @Sendable (UCred, AccessPolicy) async -> Peer = PeerCredentials.identifyOffPool) {
        self.credentials = credentials
        self.identify = identify
        cached = Mutex((generation, peer))
    }

    /// The peer and its roles under `policy`, if the peer was identified
    /// under that policy's `generation` already (no lookup: nil otherwise).
    func cachedPeer(under policy: AccessPolicy, generation: UInt64) -> Peer? {
        let current = cached.withLock { $0 }
        guard current.generation == generation else { return nil }
        return current.peer.with(roles: policy.roles(uid: current.peer.uid, groups: current.peer.groups))
    }

    /// The peer and its roles under `policy`, the policy of `generation`.
    func peer(under policy: AccessPolicy, generation: UInt64) async -> Peer {
        if let peer = cachedPeer(under: policy, generation: generation) { return peer }
        let fresh = await identify(credentials, policy)  // NSS: outside the lock
        cached.withLock { if $0.generation < generation { $0 = (generation, fresh) } }
        return fresh
    }
}

/// Where a connection's `PeerCache` is put once its peer is identified (off
/// the event loop), for the event loop's fast path to read.
final class PeerSlot: Sendable {
    private let slot = Mutex<PeerCache?>(nil)

    var cache: PeerCache? { slot.withLock { $0 } }

    func fill(_ cache: PeerCache) { slot.withLock { $0 = cache } }
}
