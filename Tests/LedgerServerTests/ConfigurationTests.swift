import Foundation
import LedgerServer
import LedgerWire
import Logging
import Testing

@Suite("Config file")
struct ConfigurationTests {
    static let example = """
        # ledgerd configuration
        data-dir = /var/lib/ledger
        socket = /run/ledger/ledger.sock
        socket-group = ledger
        socket-mode = 0660
        origin = ledger.local/dang-bo
        max-connections = 256
        max-connections-per-user = 32
        request-bytes-max = 1048576
        requests-in-flight-max = 64
        idle-timeout-seconds = 600
        shutdown-grace-seconds = 20
        log-level = notice

        [roles]
        reader = group:ledger-readers, user:an
        recorder = group:ledger-recorders
        auditor = group:ledger-auditors
        admin = user:ledgeradmin
        """

    @Test func validFile() throws {
        let configuration = try LedgerdConfiguration.parse(Self.example, file: "ledgerd.conf")
        #expect(configuration.dataDirectory == "/var/lib/ledger")
        #expect(configuration.socketPath == "/run/ledger/ledger.sock")
        #expect(configuration.socketGroup == "ledger")
        #expect(configuration.socketMode == 0o660)
        #expect(configuration.origin == "ledger.local/dang-bo")
        #expect(configuration.connectionsMax == 256)
        #expect(configuration.connectionsPerUserMax == 32)
        #expect(LedgerSocketServer.Configuration(configuration).connectionsPerUserMax == 32)
        #expect(configuration.requestBytesMax == 1_048_576)
        #expect(configuration.requestsInFlightMax == 64)
        #expect(configuration.idleTimeoutSeconds == 600)
        #expect(configuration.shutdownGraceSeconds == 20)
        #expect(configuration.logLevel == .notice)
        #expect(configuration.roleGrants.map(\.principal) == [
            .group("ledger-readers"), .user("an"), .group("ledger-recorders"), .group("ledger-auditors"), .user("ledgeradmin"),
        ])
        #expect(configuration.roleGrants.map(\.role) == [.reader, .reader, .recorder, .auditor, .admin])
        #expect(configuration.roleGrants[1].origin == "ledgerd.conf:16")
    }

    @Test func emptyFileGivesDefaults() throws {
        let configuration = try LedgerdConfiguration.parse("# nothing\n\n", file: "x")
        #expect(configuration == LedgerdConfiguration())
        #expect(configuration.socketPath == "/run/ledger/ledger.sock")
        #expect(configuration.socketMode == 0o660)
    }

    @Test func theDeployExampleParses() throws {
        let url = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Deploy/ledgerd.conf.example")
        let configuration = try LedgerdConfiguration.load(path: url.path)
        #expect(configuration.socketPath == "/run/ledger/ledger.sock")
        // Every key is documented there, commented out with its default or an example.
        let text = try String(contentsOf: url, encoding: .utf8)
        for key in LedgerdConfiguration.fileKeys {
            #expect(text.contains("\n#\(key) = "), "\(key) is not in the example")
        }
        for role in Role.allCases {
            #expect(text.contains("\n#\(role.rawValue) = "), "\(role) is not in the example")
        }
        // And each key in the example, uncommented, parses.
        let uncommented = text.split(separator: "\n").map { $0.hasPrefix("#") && $0.contains(" = ") && !$0.hasPrefix("# ") ? $0.dropFirst() : $0 }
        _ = try LedgerdConfiguration.parse(uncommented.joined(separator: "\n"), file: "example")
    }

    struct Bad: Sendable, CustomTestStringConvertible {
        let text: String
        let line: Int
        let key: String?
        let fragment: String
        var testDescription: String { text.replacingOccurrences(of: "\n", with: "⏎") }
    }

    static let bad: [Bad] = [
        Bad(text: "max-conections = 5", line: 1, key: "max-conections", fragment: "unknown key"),
        Bad(text: "socket = /a\nsocket = /b", line: 2, key: "socket", fragment: "set twice (first on line 1)"),
        Bad(text: "max-connections = many", line: 1, key: "max-connections", fragment: "want an integer in 1...65536, got 'many'"),
        Bad(text: "max-connections = 0", line: 1, key: "max-connections", fragment: "want an integer"),
        Bad(text: "max-connections = -3", line: 1, key: "max-connections", fragment: "want an integer"),
        Bad(text: "max-connections-per-user = 0", line: 1, key: "max-connections-per-user", fragment: "want an integer"),
        Bad(text: "request-bytes-max = 10", line: 1, key: "request-bytes-max", fragment: "1024...67108864"),
        Bad(text: "socket-mode = 0999", line: 1, key: "socket-mode", fragment: "octal"),
        Bad(text: "socket-mode = 660x", line: 1, key: "socket-mode", fragment: "octal"),
        Bad(text: "socket-mode = 0060", line: 1, key: "socket-mode", fragment: "owner needs read and write"),
        Bad(text: "data-dir = relative/dir", line: 1, key: "data-dir", fragment: "absolute path"),
        Bad(text: "socket = /" + String(repeating: "s", count: 120), line: 1, key: "socket", fragment: "at most 107 bytes"),
        Bad(text: "socket-group = bad group", line: 1, key: "socket-group", fragment: "group name"),
        Bad(text: "origin = has space", line: 1, key: "origin", fragment: "without spaces"),
        Bad(text: "log-level = loud", line: 1, key: "log-level", fragment: "want one of trace, debug"),
        Bad(text: "# c\n\ndata-dir =", line: 3, key: "data-dir", fragment: "missing value"),
        Bad(text: "just words", line: 1, key: nil, fragment: "expected 'key = value'"),
        Bad(text: " = 5", line: 1, key: nil, fragment: "missing key"),
        Bad(text: "[users]", line: 1, key: nil, fragment: "unknown section '[users]'"),
        Bad(text: "[roles\nreader = user:an", line: 1, key: nil, fragment: "must end with ']'"),
        Bad(text: "[roles]\n[roles]", line: 2, key: nil, fragment: "appears twice"),
        Bad(text: "[roles]\nwriter = user:an", line: 2, key: "writer", fragment: "unknown role; the roles are reader, recorder, auditor, admin"),
        Bad(text: "[roles]\nreader = an", line: 2, key: "reader", fragment: "want user:NAME, group:NAME, uid:N or gid:N, got 'an'"),
        Bad(text: "[roles]\nreader = user:an,", line: 2, key: "reader", fragment: "empty entry"),
        Bad(text: "[roles]\nreader = user:an\nreader = user:binh", line: 3, key: "reader", fragment: "set twice (first on line 2)"),
        Bad(text: "[roles]\nsocket = /x", line: 2, key: "socket", fragment: "move this setting above the [roles] header"),
    ]

    @Test("each error names the file, line and key", arguments: bad)
    func badFile(_ testCase: Bad) {
        do {
            _ = try LedgerdConfiguration.parse(testCase.text, file: "/etc/ledger/ledgerd.conf")
            Issue.record("accepted: \(testCase.text)")
        } catch {
            #expect(error.file == "/etc/ledger/ledgerd.conf")
            #expect(error.line == testCase.line)
            #expect(error.key == testCase.key)
            #expect(error.message.contains(testCase.fragment), "\(error)")
            let prefix = "/etc/ledger/ledgerd.conf:\(testCase.line): " + (testCase.key.map { "key '\($0)': " } ?? "")
            #expect(error.description.hasPrefix(prefix), "\(error)")
        }
    }

    @Test func unreadableFile() {
        #expect(throws: ConfigurationError(file: "/nonexistent/ledgerd.conf", line: nil, key: nil, message: "cannot open: No such file or directory", unreadable: true)) {
            try LedgerdConfiguration.load(path: "/nonexistent/ledgerd.conf")
        }
    }

    @Test func unknownNamesAreWarningsNotErrors() throws {
        let configuration = try LedgerdConfiguration.parse("[roles]\nreader = user:no-such-user-xyz, group:no-such-group-xyz, user:root", file: "f")
        let (policy, warnings) = AccessPolicy.resolve(configuration.roleGrants)
        #expect(warnings.count == 2)
        #expect(warnings[0].hasPrefix("f:2: [roles] reader: unknown user 'no-such-user-xyz'"))
        #expect(warnings[1].contains("unknown group 'no-such-group-xyz'"))
        #expect(policy.roles(uid: 0, groups: []) == [.admin])
    }
}
