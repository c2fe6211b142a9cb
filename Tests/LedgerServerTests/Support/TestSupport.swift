import Foundation
import Glibc
import LedgerClient
import LedgerJSON
import LedgerServer
import LedgerWire
import Logging
import Synchronization

/// A handler with a few verbs whose behaviour the tests control.
///
/// - `status`: `{"size":0,"rootHash":"00"}`.
/// - `export`: streams `args.count` items (default 3) with progress, then `{"exported":n}`.
/// - `history`: waits for the gate named `args.gate` (if any), then echoes `args`;
///   `args.limit`, if present, must be an integer (else `bad-arguments`).
/// - `member`: `not-found`. `append`: echoes `args`. Anything else: `{"verb":…}`.
struct TestHandler: LedgerRequestHandler {
    let gates: Gates
    let streamProbe: StreamProbe?
    /// Called on the event loop as an immediate request starts (a test may
    /// hold the loop there).
    let onImmediateStart: (@Sendable (WireRequest) -> Void)?

    init(gates: Gates = Gates(), streamProbe: StreamProbe? = nil,
         onImmediateStart: (@Sendable (WireRequest) -> Void)? = nil) {
        self.gates = gates
        self.streamProbe = streamProbe
        self.onImmediateStart = onImmediateStart
    }

    func handle(_ request: WireRequest, peer: Peer, output: ResponseOutput) async -> Result<JSONValue, WireError> {
        switch request.verb {
        case "status":
            return .success(["size": 0, "rootHash": "00"])
        case "export":
            let count = request.args["count"]?.intValue ?? 3
            do {
                let canonical = request.args["canonical"] == true
                for index in 0..<count {
                    if canonical {
                        try await output.item(canonical: CanonicalJSON.encode(["seq": .int(index + 1), "text": "Chi bộ \"A\""]))
                    } else {
                        try await output.item(["seq": .int(index + 1)])
                    }
                    streamProbe?.sent()
                    try await output.progress(done: index + 1, total: count)
                }
            } catch {
                streamProbe?.gone()
                return .failure(WireError(.unavailable, "client gone"))
            }
            return .success(["exported": .int(count)])
        case "history":
            if let limit = request.args["limit"], limit.intValue == nil {
                return .failure(WireError(.badArguments, "'limit' must be an integer, got \(limit.typeName)"))
            }
            if let gate = request.args["gate"]?.stringValue {
                await gates.wait(gate)
            }
            return .success(.object(request.args))
        case "member":
            return .failure(WireError(.notFound, "no member 'x'"))
        case "append":
            return .success(["actor": .string(peer.userName), "args": .object(request.args)])
        default:
            return .success(["verb": .string(request.verb)])
        }
    }

    /// An append with `"immediate": true` may be served by the event loop:
    /// its answer then says so (`served`), after waiting for its `gate` if any.
    func immediate(_ request: WireRequest, peer: Peer) -> ImmediateRequest? {
        guard request.verb == "append", request.args["immediate"] == true else { return nil }
        let gates = self.gates
        let answer: JSONValue = ["actor": .string(peer.userName), "args": .object(request.args), "served": "event loop"]
        let gate = request.args["gate"]?.stringValue
        let onStart = onImmediateStart
        return ImmediateRequest { completion in
            onStart?(request)
            guard let gate else { return completion { .success(answer) } }
            Task { await gates.wait(gate); completion { .success(answer) } }
        }
    }
}

/// Records how a streaming handler ended.
final class StreamProbe: Sendable {
    private let state = Mutex((items: 0, gone: false))
    func sent() { state.withLock { $0.items += 1 } }
    func gone() { state.withLock { $0.gone = true } }
    var itemsSent: Int { state.withLock { $0.items } }
    var clientGone: Bool { state.withLock { $0.gone } }
}

/// Named one-shot gates: a handler waits on one until the test opens it.
final class Gates: Sendable {
    private struct State {
        var open: Set<String> = []
        var waiters: [String: [CheckedContinuation<Void, Never>]] = [:]
        var waiting: [String: Int] = [:]
    }
    private let state = Mutex(State())

    func wait(_ name: String) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state -> Bool in
                state.waiting[name, default: 0] += 1
                if state.open.contains(name) { return true }
                state.waiters[name, default: []].append(continuation)
                return false
            }
            if ready { continuation.resume() }
        }
    }

    func open(_ name: String) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.open.insert(name)
            return state.waiters.removeValue(forKey: name) ?? []
        }
        for waiter in waiters { waiter.resume() }
    }

    /// How many handlers reached the gate (so a test knows a request is in flight).
    func waitingCount(_ name: String) -> Int { state.withLock { $0.waiting[name] ?? 0 } }
}

/// A fresh directory under /tmp (short: socket paths are limited to 107 bytes).
func makeTemporaryDirectory() -> String {
    var template = Array("/tmp/ledger-test-XXXXXX".utf8CString)
    let path = template.withUnsafeMutableBufferPointer { buffer in
        String(cString: mkdtemp(buffer.baseAddress!))
    }
    return path
}

func removeDirectory(_ path: String) {
    try? FileManager.default.removeItem(atPath: path)
}

let testLogger: Logger = {
    var logger = Logger(label: "ledger-test") { label in JournaldLogHandler(label: label, logLevel: .warning) }
    logger.logLevel = .warning
    return logger
}()

/// Runs `body` with a started server on a socket in a fresh directory, and
/// shuts it down afterwards.
@discardableResult
func withServer<T>(
    connectionsMax: Int = 16, requestsInFlightMax: Int = 32, lineBytesMax: Int = 1 << 20,
    mode: UInt32 = 0o660, group: String? = nil, policy: AccessPolicy = .rootOnly,
    handler: TestHandler = TestHandler(),
    _ body: (LedgerSocketServer, String) async throws -> T
) async throws -> T {
    let directory = makeTemporaryDirectory()
    defer { removeDirectory(directory) }
    let path = directory + "/ledger.sock"
    let server = LedgerSocketServer(
        configuration: .init(
            listener: .path(path, mode: mode, group: group), connectionsMax: connectionsMax,
            requestsInFlightMax: requestsInFlightMax, wireLimits: WireLimits(lineBytesMax: lineBytesMax),
            shutdownGrace: .seconds(5)),
        handler: handler, policy: policy, logger: testLogger)
    try await server.start()
    do {
        let result = try await body(server, path)
        await server.shutdown()
        return result
    } catch {
        await server.shutdown()
        throw error
    }
}

/// Runs blocking code on its own thread, so a blocking client never starves
/// the cooperative pool the server's connection tasks run on.
func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.start()
    }
}

/// A bare socket client that sends arbitrary bytes (malformed on purpose).
final class RawClient: @unchecked Sendable {
    let fd: Int32
    private var buffer: [UInt8] = []

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    init(path: String) throws {
        fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let bytes = Array(path.utf8)
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: bytes) }
        let status = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard status == 0 else {
            let code = errno
            close(fd)
            throw Failure(description: "connect: errno \(code)")
        }
    }

    deinit { close(fd) }

    func send(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
            guard written > 0 else { throw Failure(description: "send: errno \(errno)") }
            offset += written
        }
    }

    func send(_ text: String) throws { try send(Array(text.utf8)) }

    func shutdownWrite() { shutdown(fd, Int32(SHUT_WR)) }

    /// The next line, or nil at end of stream.
    func readLine() throws -> [UInt8]? {
        while true {
            if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                let line = Array(buffer[..<newline])
                buffer.removeFirst(newline + 1)
                return line
            }
            var chunk = [UInt8](repeating: 0, count: 65536)
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 { throw Failure(description: "recv: errno \(errno)") }
            if count == 0 { return nil }
            buffer.append(contentsOf: chunk[0..<count])
        }
    }

    /// The next frame; fails at end of stream.
    func readFrame() throws -> WireFrame {
        guard let line = try readLine() else { throw Failure(description: "end of stream") }
        return try WireFrame.decode(line: line)
    }

    /// Sends one line and reads one frame.
    func roundTrip(_ line: String) throws -> WireFrame {
        try send(line + "\n")
        return try readFrame()
    }
}

extension WireFrame {
    var errorCode: WireErrorCode? {
        if case .error(_, let error) = self { return error.code }
        return nil
    }
    var errorMessage: String? {
        if case .error(_, let error) = self { return error.message }
        return nil
    }
    var resultValue: JSONValue? {
        if case .result(_, let value) = self { return value }
        return nil
    }
}

/// Runs a Python client as `nobody` (uid/gid 65534, no groups) that sends
/// `lines` over `socketPath` and prints each response line.
func runAsNobody(socketPath: String, lines: [String]) throws -> [WireFrame] {
    let script = """
    import socket, sys
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(sys.argv[1])
    lines = sys.argv[2:]
    s.sendall("".join(l + "\\n" for l in lines).encode())
    f = s.makefile("rb")
    for _ in lines:
        sys.stdout.write(f.readline().decode())
    """
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
    process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "/usr/bin/python3", "-c", script, socketPath] + lines
    let output = Pipe()
    process.standardOutput = output
    try process.run()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw RawClient.Failure(description: "python as nobody exited \(process.terminationStatus)")
    }
    return try data.split(separator: UInt8(ascii: "\n")).map { try WireFrame.decode(line: Array($0)) }
}
