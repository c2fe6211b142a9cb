import Foundation
import Glibc
import LedgerClient
import LedgerJSON
import LedgerServer
import LedgerWire
import Synchronization
import Testing

@Suite("Server lifecycle and socket file")
struct ServerLifecycleTests {
    static func fileStat(_ path: String) -> stat? {
        var info = stat()
        return lstat(path, &info) == 0 ? info : nil
    }

    @Test func socketFileModeAndCleanup() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let path = directory + "/s.sock"
        let server = LedgerSocketServer(
            configuration: .init(listener: .path(path, mode: 0o660, group: "nogroup")), handler: TestHandler(), logger: testLogger)
        try await server.start()
        let info = try #require(Self.fileStat(path))
        #expect(info.st_mode & S_IFMT == S_IFSOCK)
        #expect(info.st_mode & 0o777 == 0o660)
        #expect(info.st_gid == 65534)
        #expect(server.isRunning)
        await server.shutdown()
        #expect(!server.isRunning)
        #expect(Self.fileStat(path) == nil, "the socket file is removed at shutdown")
        await server.shutdown()  // a second call is harmless
        // After shutdown the daemon is unreachable (exit code 3 for ledgerctl).
        #expect(throws: ClientError.unreachable(socketPath: path, errno: ENOENT)) { try LedgerConnection(socketPath: path) }
    }

    @Test func startTwiceFails() async throws {
        try await withServer { server, _ in
            await #expect(throws: ServerError.notInitial) { try await server.start() }
        }
    }

    @Test func shutdownBeforeStartEndsTheServer() async throws {
        let server = LedgerSocketServer(configuration: .init(listener: .path("/tmp/never-bound.sock")), handler: TestHandler(), logger: testLogger)
        await server.shutdown()
        await #expect(throws: ServerError.notInitial) { try await server.start() }
        #expect(Self.fileStat("/tmp/never-bound.sock") == nil)
    }

    @Test func staleSocketIsReplaced() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let path = directory + "/s.sock"
        // A socket file nobody listens on: what a crashed daemon leaves behind.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        bindUnix(fd, path)
        close(fd)
        #expect(Self.fileStat(path) != nil)
        let server = LedgerSocketServer(configuration: .init(listener: .path(path)), handler: TestHandler(), logger: testLogger)
        try await server.start()
        let pong = try await onThread { try LedgerConnection(socketPath: path).call(verb: "ping") }
        #expect(pong["pong"] == true)
        await server.shutdown()
    }

    @Test func liveSocketIsNotStolen() async throws {
        try await withServer { _, path in
            let second = LedgerSocketServer(configuration: .init(listener: .path(path)), handler: TestHandler(), logger: testLogger)
            await #expect(throws: ServerError.socketInUse(path: path)) { try await second.start() }
            // The first server is untouched.
            let pong = try await onThread { try LedgerConnection(socketPath: path).call(verb: "ping") }
            #expect(pong["pong"] == true)
        }
    }

    @Test func regularFileIsNotRemoved() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let path = directory + "/s.sock"
        _ = FileManager.default.createFile(atPath: path, contents: Data("keep".utf8))
        let server = LedgerSocketServer(configuration: .init(listener: .path(path)), handler: TestHandler(), logger: testLogger)
        await #expect(throws: ServerError.notASocket(path: path)) { try await server.start() }
        #expect(FileManager.default.contents(atPath: path) == Data("keep".utf8))
    }

    @Test func missingSocketDirectoryIsNamed() async throws {
        let server = LedgerSocketServer(
            configuration: .init(listener: .path("/nonexistent-ledger-dir/s.sock")), handler: TestHandler(), logger: testLogger)
        await #expect(throws: ServerError.socketDirectoryMissing("/nonexistent-ledger-dir")) { try await server.start() }
        #expect(ServerError.socketDirectoryMissing("/run/ledger").description.contains("RuntimeDirectory="))
    }

    @Test func unknownSocketGroupFailsAndLeavesNoSocket() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let path = directory + "/s.sock"
        let server = LedgerSocketServer(
            configuration: .init(listener: .path(path, group: "no-such-group-xyz")), handler: TestHandler(), logger: testLogger)
        await #expect(throws: ServerError.unknownSocketGroup("no-such-group-xyz")) { try await server.start() }
        #expect(Self.fileStat(path) == nil)
    }

    @Test func gracefulShutdownFinishesInFlightRequests() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let path = directory + "/s.sock"
        let gates = Gates()
        let server = LedgerSocketServer(
            configuration: .init(listener: .path(path), shutdownGrace: .seconds(30)), handler: TestHandler(gates: gates), logger: testLogger)
        try await server.start()
        let client = try await onThread { try RawClient(path: path) }
        try client.send(#"{"id":1,"verb":"history","args":{"gate":"slow","n":1}}"# + "\n")
        while gates.waitingCount("slow") == 0 { try await Task.sleep(for: .milliseconds(1)) }
        let shutdown = Task { await server.shutdown() }
        // Shutdown begins: the socket file goes first, so new clients fail fast…
        while Self.fileStat(path) != nil { try await Task.sleep(for: .milliseconds(1)) }
        #expect(!server.isRunning)
        #expect(throws: ClientError.unreachable(socketPath: path, errno: ENOENT)) { try LedgerConnection(socketPath: path) }
        // …but the request in flight completes and is answered.
        gates.open("slow")
        let frame = try await onThread { try client.readFrame() }
        #expect(frame == .result(id: 1, ["gate": "slow", "n": 1]))
        #expect(try await onThread { try client.readLine() } == nil, "then the connection closes")
        await shutdown.value
    }

    /// A request already read but not started when shutdown begins is
    /// answered `shutting-down`, never dropped silently.
    @Test func requestsReadDuringShutdownAreRefused() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let path = directory + "/s.sock"
        let gates = Gates()
        let server = LedgerSocketServer(
            configuration: .init(listener: .path(path), requestsInFlightMax: 1, shutdownGrace: .seconds(30)),
            handler: TestHandler(gates: gates), logger: testLogger)
        try await server.start()
        let client = try await onThread { try RawClient(path: path) }
        // One write: when the first request runs, the second has been read too
        // and waits for the connection's only slot.
        try client.send(#"{"id":1,"verb":"history","args":{"gate":"first"}}"# + "\n" + #"{"id":2,"verb":"status"}"# + "\n")
        while gates.waitingCount("first") == 0 { try await Task.sleep(for: .milliseconds(1)) }
        let shutdown = Task { await server.shutdown() }
        while server.isRunning { try await Task.sleep(for: .milliseconds(1)) }
        gates.open("first")
        let frames = try await onThread { [try client.readFrame(), try client.readFrame()] }
        #expect(frames[0] == .result(id: 1, ["gate": "first"]))
        #expect(frames[1].errorCode == .shuttingDown)
        #expect(frames[1].id == 2)
        await shutdown.value
    }

    @Test func shutdownCancelsHandlersAfterTheGracePeriod() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let path = directory + "/s.sock"
        let server = LedgerSocketServer(
            configuration: .init(listener: .path(path), shutdownGrace: .milliseconds(50)), handler: SleepyHandler(), logger: testLogger)
        try await server.start()
        let client = try await onThread { try RawClient(path: path) }
        try client.send(#"{"id":1,"verb":"tail"}"# + "\n")
        while server.statistics.requests == 0 { try await Task.sleep(for: .milliseconds(1)) }
        await server.shutdown()
        // The cancelled handler's answer (or none) and then end of stream.
        let frame = try await onThread { try client.readLine() }
        if let frame {
            #expect(try WireFrame.decode(line: frame).errorCode == .unavailable)
        }
        #expect(!server.isRunning)
    }

    @Test func inheritedSocket() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let path = directory + "/activated.sock"
        // What systemd does for a .socket unit: create, bind, listen; the daemon gets the fd.
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        bindUnix(fd, path)
        #expect(listen(fd, 16) == 0)
        // A client that connected before the daemon started (socket activation
        // starts the daemon because of it) is served, not dropped.
        let early = try RawClient(path: path)
        try early.send(#"{"id":"early","verb":"status"}"# + "\n")
        let server = LedgerSocketServer(configuration: .init(listener: .inheritedSocket(fd: fd)), handler: TestHandler(), logger: testLogger)
        try await server.start()
        #expect(try await onThread { try early.readFrame() }.id == "early")
        let status = try await onThread { try LedgerConnection(socketPath: path).call(verb: "status") }
        #expect(status["size"] == 0)
        await server.shutdown()
        #expect(Self.fileStat(path) != nil, "systemd owns an inherited socket's file")
    }

    @Test func inheritedDescriptorMustBeAUnixStreamSocket() async throws {
        let datagram = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        defer { close(datagram) }
        let server = LedgerSocketServer(configuration: .init(listener: .inheritedSocket(fd: datagram)), handler: TestHandler(), logger: testLogger)
        await #expect(throws: ServerError.unusableInheritedSocket(fd: datagram, reason: "not a stream socket")) { try await server.start() }
        let tcp = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(tcp) }
        let tcpServer = LedgerSocketServer(configuration: .init(listener: .inheritedSocket(fd: tcp)), handler: TestHandler(), logger: testLogger)
        await #expect(throws: ServerError.self) { try await tcpServer.start() }
    }

    @Test func configurationFromFile() throws {
        var file = LedgerdConfiguration()
        file.socketPath = "/run/x.sock"
        file.socketMode = 0o600
        file.connectionsMax = 7
        file.requestBytesMax = 4096
        file.idleTimeoutSeconds = 30
        let configuration = LedgerSocketServer.Configuration(file)
        #expect(configuration.listener == .path("/run/x.sock", mode: 0o600, group: nil))
        #expect(configuration.connectionsMax == 7)
        #expect(configuration.wireLimits.lineBytesMax == 4096)
        #expect(configuration.idleTimeout == .seconds(30))
        let activated = LedgerSocketServer.Configuration(file, activation: SocketActivation(fileDescriptors: [3], names: ["ledger"]))
        #expect(activated.listener == .inheritedSocket(fd: 3))
    }

    @Test func idleConnectionsAreClosed() async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let path = directory + "/s.sock"
        let server = LedgerSocketServer(
            configuration: .init(listener: .path(path), idleTimeout: .milliseconds(100)), handler: TestHandler(), logger: testLogger)
        try await server.start()
        try await onThread {
            let client = try RawClient(path: path)
            #expect(try client.roundTrip(#"{"id":1,"verb":"status"}"#).id == 1)
            #expect(try client.readLine() == nil, "closed after the idle timeout")
        }
        await server.shutdown()
    }
}

/// A handler that only returns when cancelled.
struct SleepyHandler: LedgerRequestHandler {
    func handle(_ request: WireRequest, peer: Peer, output: ResponseOutput) async -> Result<JSONValue, WireError> {
        while !Task.isCancelled {
            try? await Task.sleep(for: .seconds(60))
        }
        return .failure(WireError(.unavailable, "cancelled"))
    }
}

func bindUnix(_ fd: Int32, _ path: String) {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    let bytes = Array(path.utf8)
    withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
    let status = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    precondition(status == 0, "bind \(path): errno \(errno)")
}

@Suite("Clients that leave")
struct ClientLeavesTests {
    /// Records whether its handler saw cancellation.
    final class CancelProbe: Sendable {
        private let state = Mutex((started: false, cancelled: false))
        func start() { state.withLock { $0.started = true } }
        func cancel() { state.withLock { $0.cancelled = true } }
        var started: Bool { state.withLock { $0.started } }
        var cancelled: Bool { state.withLock { $0.cancelled } }
    }

    /// Waits for events that never come, until cancelled: a `tail --follow` on a quiet ledger.
    struct QuietTailHandler: LedgerRequestHandler {
        let probe: CancelProbe
        func handle(_ request: WireRequest, peer: Peer, output: ResponseOutput) async -> Result<JSONValue, WireError> {
            probe.start()
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(60))
            }
            probe.cancel()
            return .failure(WireError(.unavailable, "cancelled"))
        }
    }

    /// Also when the reader is stuck waiting for a slot (in-flight limit 1,
    /// a second request queued behind the tail).
    @Test(arguments: [1, 8])
    func aQuietTailIsCancelledWhenItsClientCloses(inFlightMax: Int) async throws {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let path = directory + "/s.sock"
        let probe = CancelProbe()
        let server = LedgerSocketServer(
            configuration: .init(listener: .path(path), requestsInFlightMax: inFlightMax), handler: QuietTailHandler(probe: probe),
            logger: testLogger)
        try await server.start()
        do {
            let client = try RawClient(path: path)
            try client.send(#"{"id":1,"verb":"tail"}"# + "\n" + #"{"id":2,"verb":"status"}"# + "\n")
            while !probe.started { try await Task.sleep(for: .milliseconds(1)) }
            // The client goes away (closes its socket) without a word.
        }
        while !probe.cancelled { try await Task.sleep(for: .milliseconds(1)) }
        while server.connectionCount > 0 { try await Task.sleep(for: .milliseconds(1)) }
        await server.shutdown()
    }

    @Test func aHalfClosedClientIsNotCancelled() async throws {
        let gates = Gates()
        try await withServer(handler: TestHandler(gates: gates)) { _, path in
            let client = try RawClient(path: path)
            try client.send(#"{"id":1,"verb":"history","args":{"gate":"h"}}"# + "\n")
            while gates.waitingCount("h") == 0 { try await Task.sleep(for: .milliseconds(1)) }
            client.shutdownWrite()
            gates.open("h")
            #expect(try await onThread { try client.readFrame() } == .result(id: 1, ["gate": "h"]))
        }
    }
}
