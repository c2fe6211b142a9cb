import Foundation
import Glibc
import LedgerJSON
import LedgerServer
import LedgerWire
import Testing

@Suite("Authorization")
struct AuthorizationTests {
    /// A fixed account table instead of the system databases.
    struct FakeAccounts: AccountResolver {
        let users: [String: UInt32] = ["an": 1000, "binh": 1001, "ledgeradmin": 900]
        let groups: [String: UInt32] = ["ledger-readers": 2000, "ledger-recorders": 2001, "ledger-auditors": 2002]
        func uid(forUser name: String) -> UInt32? { users[name] }
        func gid(forGroup name: String) -> UInt32? { groups[name] }
    }

    static let grants: [RoleGrant] = [
        RoleGrant(role: .reader, principal: .group("ledger-readers")),
        RoleGrant(role: .reader, principal: .user("an")),
        RoleGrant(role: .recorder, principal: .group("ledger-recorders")),
        RoleGrant(role: .auditor, principal: .group("ledger-auditors")),
        RoleGrant(role: .admin, principal: .user("ledgeradmin")),
        RoleGrant(role: .recorder, principal: .uid(1500)),
        RoleGrant(role: .auditor, principal: .gid(3000)),
        RoleGrant(role: .admin, principal: .group("ghosts"), origin: "/etc/ledger/ledgerd.conf:14"),
    ]

    @Test func policyTable() {
        let (policy, warnings) = AccessPolicy.resolve(Self.grants, accounts: FakeAccounts())
        #expect(warnings == ["/etc/ledger/ledgerd.conf:14: [roles] admin: unknown group 'ghosts'; the entry grants nothing until a reload finds it"])
        // (uid, groups) → roles
        let table: [(UInt32, [UInt32], Set<Role>)] = [
            (0, [], [.admin]),  // root is admin whatever the config says
            (1000, [], [.reader]),  // user:an
            (1001, [], []),  // binh: nothing
            (1001, [2000], [.reader]),
            (1001, [2001], [.recorder]),
            (1001, [2001, 2002], [.recorder, .auditor]),  // both, not just the "highest"
            (900, [], [.admin]),
            (1500, [], [.recorder]),
            (4242, [3000], [.auditor]),
            (65534, [65534], []),
        ]
        for (uid, groups, roles) in table {
            #expect(policy.roles(uid: uid, groups: groups) == roles, "uid \(uid) groups \(groups)")
        }
        #expect(policy.highestRole(uid: 1001, groups: [2001, 2002]) == .auditor)
        #expect(AccessPolicy.rootOnly.roles(uid: 1000, groups: [2000]).isEmpty)
    }

    @Test func principals() {
        #expect(Principal(parsing: "user:an") == .user("an"))
        #expect(Principal(parsing: "group:ledger-readers") == .group("ledger-readers"))
        #expect(Principal(parsing: "uid:1000") == .uid(1000))
        #expect(Principal(parsing: "gid:0") == .gid(0))
        for bad in ["an", "user:", "uid:x", "uid:-1", "gid:99999999999", "host:x", "user:a b", "group:ä"] {
            #expect(Principal(parsing: bad) == nil, "\(bad)")
        }
    }

    @Test func permissionDeniedMessages() {
        let nobody = Peer(pid: 1, uid: 65534, gid: 65534, userName: "nobody", groups: [65534], roles: [])
        // The message names the user; the details let a program react.
        let reader = nobody.with(roles: [.reader])
        #expect(reader.role == .reader)
        #expect(nobody.role == nil)
        #expect(nobody.displayName == "nobody (uid 65534)")
    }

    /// The socket is world-writable here so the kernel lets `nobody` in:
    /// the refusal must come from the daemon's role check.
    @Test func nobodyIsRefusedByTheDaemon() async throws {
        try await withServer(mode: 0o666) { _, path in
            try allowTraversal(of: path)
            let frames = try await onThread {
                try runAsNobody(socketPath: path, lines: [#"{"id":1,"verb":"status"}"#, #"{"id":2,"verb":"ping"}"#])
            }
            #expect(frames.count == 2)
            for frame in frames {
                #expect(frame.errorCode == .permissionDenied)
                guard case .error(_, let error) = frame else { continue }
                #expect(error.message.contains("nobody (uid 65534) has no role"))
                #expect(error.details?["uid"] == 65534)
            }
        }
    }

    @Test func roleIsCheckedPerVerbAndReloadApplies() async throws {
        let readerPolicy = AccessPolicy.resolve([RoleGrant(role: .reader, principal: .uid(65534))]).policy
        try await withServer(mode: 0o666, policy: readerPolicy) { server, path in
            try allowTraversal(of: path)
            let lines = [
                #"{"id":1,"verb":"status"}"#, #"{"id":2,"verb":"append","args":{}}"#,
                #"{"id":3,"verb":"export"}"#, #"{"id":4,"verb":"backup"}"#, #"{"id":5,"verb":"ping"}"#,
            ]
            let asReader = try await onThread { try runAsNobody(socketPath: path, lines: lines) }
            #expect(asReader.map(\.errorCode) == [nil, .permissionDenied, .permissionDenied, .permissionDenied, nil])
            #expect(asReader[4].resultValue?["roles"] == ["reader"])
            if case .error(_, let error) = asReader[1] {
                #expect(error.message == "verb 'append' needs the recorder role; nobody (uid 65534) has reader")
                #expect(error.details?["requiredRole"] == "recorder")
            }
            // SIGHUP in ledgerd: a new policy applies to the next request.
            server.reload(AccessPolicy.resolve([RoleGrant(role: .recorder, principal: .gid(65534))]).policy)
            let asRecorder = try await onThread { try runAsNobody(socketPath: path, lines: lines) }
            #expect(asRecorder.map(\.errorCode) == [nil, nil, .permissionDenied, .permissionDenied, nil])
            #expect(asRecorder[1].resultValue?["actor"] == "nobody")
        }
    }

    @Test func reloadAppliesToOpenConnections() async throws {
        try await withServer { server, path in
            try await onThread {
                let client = try RawClient(path: path)
                #expect(try client.roundTrip(#"{"id":1,"verb":"status"}"#).resultValue != nil)
                server.reload(.rootOnly)
                // root stays admin under any policy; the same connection still works.
                #expect(try client.roundTrip(#"{"id":2,"verb":"backup"}"#).resultValue != nil)
            }
        }
    }
}

/// Lets other users reach a socket in a private temp directory.
func allowTraversal(of socketPath: String) throws {
    let directory = (socketPath as NSString).deletingLastPathComponent
    guard chmod(directory, 0o755) == 0 else { throw RawClient.Failure(description: "chmod \(directory)") }
}
