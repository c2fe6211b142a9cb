import Glibc
@testable import LedgerClient
import LedgerJSON
import LedgerWire
import Testing

@Suite("Client")
struct ClientTests {
    @Test func socketLocation() {
        #expect(SocketLocator.resolve(flag: "/a.sock", environment: "/b.sock") == "/a.sock")
        #expect(SocketLocator.resolve(flag: nil, environment: "/b.sock") == "/b.sock")
        #expect(SocketLocator.resolve(flag: "", environment: "") == "/run/ledger/ledger.sock")
        #expect(SocketLocator.resolve(flag: nil, environment: nil) == SocketLocator.systemDefault)
    }

    @Test func unreachableDaemon() {
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        // No file at all.
        do {
            _ = try LedgerConnection(socketPath: directory + "/missing.sock")
            Issue.record("connected to nothing")
        } catch {
            #expect(error.exitCode == .unreachable)
            #expect(error.description.contains("is it running?"))
        }
        // A socket file nobody listens on (a daemon that crashed).
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        bindUnix(fd, directory + "/dead.sock")
        close(fd)
        #expect(throws: ClientError.unreachable(socketPath: directory + "/dead.sock", errno: ECONNREFUSED)) {
            try LedgerConnection(socketPath: directory + "/dead.sock")
        }
        #expect(throws: ClientError.self) { try LedgerConnection(socketPath: "/" + String(repeating: "x", count: 200)) }
    }

    @Test func exitCodes() {
        let table: [(ClientError, ExitCode)] = [
            (.unreachable(socketPath: "/s", errno: ENOENT), .unreachable),
            (.permissionDenied("socket mode"), .permissionDenied),
            (.server(WireError(.permissionDenied, "no role")), .permissionDenied),
            (.server(WireError(.refused, "rule")), .failed),
            (.server(WireError(.tooManyConnections, "busy")), .failed),
            (.protocolError("garbage"), .failed),
            (.io(operation: "recv", errno: EIO), .failed),
            (.usage("bad"), .usage),
        ]
        for (error, code) in table {
            #expect(error.exitCode == code, "\(error)")
        }
        #expect(ExitCode.allCases.map(\.rawValue) == [0, 1, 2, 3, 4])
    }

    @Test func serverErrorsAreThrownAndTheConnectionStaysUsable() async throws {
        try await withServer { _, path in
            try await onThread {
                let connection = try LedgerConnection(socketPath: path)
                #expect(throws: ClientError.server(WireError(.notFound, "no member 'x'"))) { try connection.call(verb: "member") }
                #expect(throws: ClientError.self) { try connection.call(verb: "no-such-verb") }
                #expect(!connection.isBroken)
                #expect(try connection.call(verb: "status")["size"] == 0)
            }
        }
    }

    /// `export` items reach the caller as canonical bytes whether the daemon
    /// sent them as bytes (passed through unparsed) or as values (encoded).
    @Test func canonicalItemsArriveAsCanonicalBytes() async throws {
        try await withServer { _, path in
            try await onThread {
                let connection = try LedgerConnection(socketPath: path)
                for sentAsBytes in [true, false] {
                    var lines: [[UInt8]] = []
                    let result = try connection.callCanonical(verb: "export", args: ["count": 3, "canonical": .bool(sentAsBytes)]) {
                        lines.append(Array($0))
                    }
                    #expect(result["exported"] == 3)
                    let expected: [[UInt8]] = (1...3).map { n in
                        CanonicalJSON.encode(sentAsBytes ? ["seq": .int(Int64(n)), "text": "Chi bộ \"A\""] : ["seq": .int(Int64(n))])
                    }
                    #expect(lines == expected, "sent as bytes: \(sentAsBytes)")
                }
                #expect(!connection.isBroken)
            }
        }
    }

    @Test func onlyAWholeCanonicalItemFrameIsPassedThrough() {
        let prefix = Array(#"{"id":7,"item":"#.utf8)
        func item(_ line: String) -> String? {
            LedgerConnection.canonicalItem(in: ArraySlice(line.utf8), prefix: prefix).map { String(decoding: $0, as: UTF8.self) }
        }
        #expect(item(#"{"id":7,"item":{"a":1,"b":"ễ"}}"#) == #"{"a":1,"b":"ễ"}"#)
        #expect(item(#"{"id":7,"item":{"b":1,"a":2}}"#) == nil)  // keys out of order
        #expect(item(#"{"id":7,"item":{"a": 1}}"#) == nil)  // not canonical
        #expect(item(#"{"id":8,"item":{"a":1}}"#) == nil)  // another request's
        #expect(item(#"{"id":7,"item":{"a":1}},"x":1}"#) == nil)  // more after the item
        #expect(item(#"{"id":7,"item":[1]}"#) == nil)  // not an object
        #expect(item(#"{"id":7,"ok":true,"result":{}}"#) == nil)
    }

    @Test func callbackFailureAbandonsTheConnection() async throws {
        try await withServer { _, path in
            try await onThread {
                let connection = try LedgerConnection(socketPath: path)
                #expect(throws: ClientError.io(operation: "write export", errno: ENOSPC)) {
                    try connection.call(verb: "export", args: ["count": 10]) { _ throws(ClientError) in
                        throw ClientError.io(operation: "write export", errno: ENOSPC)
                    }
                }
                #expect(connection.isBroken)
                #expect(throws: ClientError.self) { try connection.call(verb: "status") }
            }
        }
    }
}

@Suite("Client against a stuck daemon")
struct ClientTimeoutTests {
    @Test func timeoutWhileWaiting() async throws {
        let gates = Gates()
        try await withServer(handler: TestHandler(gates: gates)) { _, path in
            try await onThread {
                let connection = try LedgerConnection(socketPath: path, timeout: .milliseconds(50))
                #expect(throws: ClientError.timedOut(operation: "waiting for the daemon's answer")) {
                    try connection.call(verb: "history", args: ["gate": "never"])
                }
                #expect(connection.isBroken)
                #expect(ClientError.timedOut(operation: "x").exitCode == .failed)
            }
            gates.open("never")
        }
    }
}
