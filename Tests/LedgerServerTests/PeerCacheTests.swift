@testable import LedgerServer
import LedgerWire
import Synchronization
import Testing

/// A connection's peer is read again from the system databases after a
/// reload: a user taken out of a group loses its role on the connections
/// it holds open.
@Suite struct PeerCacheTests {
    final class Accounts: Sendable {
        /// The supplementary groups the "system" reports for uid 1000 now.
        let groups = Mutex<[UInt32]>([5000])
        let lookups = Atomic<Int>(0)

        func identify(_ credentials: UCred, _ policy: AccessPolicy) -> Peer {
            lookups.add(1, ordering: .relaxed)
            let groups = ([credentials.gid] + self.groups.withLock { $0 }).sorted()
            return Peer(pid: credentials.pid, uid: credentials.uid, gid: credentials.gid, userName: "an",
                        groups: groups, roles: policy.roles(uid: credentials.uid, groups: groups))
        }
    }

    @Test func aReloadReadsTheGroupsAgain() async throws {
        let accounts = Accounts()
        let recorders = AccessPolicy.resolve([RoleGrant(role: .recorder, principal: .gid(5000))]).policy
        let credentials = UCred(pid: 42, uid: 1000, gid: 1000)
        let first = accounts.identify(credentials, recorders)
        let cache = PeerCache(credentials: credentials, peer: first, generation: 0,
                              identify: { accounts.identify($0, $1) })
        #expect(await cache.peer(under: recorders, generation: 0).roles == [.recorder])
        #expect(accounts.lookups.load(ordering: .relaxed) == 1, "no lookup between reloads")

        // The user leaves the group; until a reload the connection keeps what it read.
        accounts.groups.withLock { $0 = [] }
        #expect(await cache.peer(under: recorders, generation: 0).roles == [.recorder])
        // After a reload (same policy text): read again, and the role is gone.
        #expect(await cache.peer(under: recorders, generation: 1).roles.isEmpty)
        #expect(await cache.peer(under: recorders, generation: 1).roles.isEmpty)
        #expect(accounts.lookups.load(ordering: .relaxed) == 2, "one lookup per reload")
    }
}
