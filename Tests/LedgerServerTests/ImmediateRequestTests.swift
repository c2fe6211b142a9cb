import Foundation
import LedgerJSON
@testable import LedgerServer
import LedgerWire
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// The event loop's fast path (`ImmediateRequestHandler`): a plain append on
/// an idle connection is served without a task, and answered in its turn all
/// the same. `TestHandler` marks such answers `"served": "event loop"`.
@Suite("Appends served by the event loop")
struct ImmediateRequestTests {
    static func served(_ frame: WireFrame) -> JSONValue? {
        guard case .result(_, let value) = frame else { return nil }
        return value["served"] ?? .null
    }

    /// The fast path starts once the connection's peer is identified (off the
    /// event loop, as it opens): until then, requests go to tasks. An answer
    /// to a first request means it is.
    static func waitUntilIdentified(_ client: RawClient) throws {
        try client.send(#"{"id":0,"verb":"ping"}"# + "\n")
        _ = try client.readFrame()
    }

    @Test func anAppendOnAnIdleConnectionIsServedImmediatelyAndAnsweredInTurn() async throws {
        let gates = Gates()
        try await withServer(handler: TestHandler(gates: gates)) { server, path in
            try await onThread {
                let client = try RawClient(path: path)
                try Self.waitUntilIdentified(client)
                // 1 is served by the event loop and waits on a gate; 2…4 come
                // in behind it (the connection is busy: they go to tasks) and
                // finish first, but are answered after it.
                try client.send(
                    #"{"id":1,"verb":"append","args":{"immediate":true,"gate":"a"}}"# + "\n"
                        + #"{"id":2,"verb":"status"}"# + "\n"
                        + #"{"id":3,"verb":"append","args":{"immediate":true}}"# + "\n"
                        + #"{"id":4,"verb":"ping"}"# + "\n")
                while gates.waitingCount("a") == 0 { usleep(1000) }
                usleep(50_000)
                gates.open("a")
                let frames = try (0..<4).map { _ in try client.readFrame() }
                #expect(frames.map(\.id) == [1, 2, 3, 4])
                #expect(Self.served(frames[0]) == "event loop")
                #expect(Self.served(frames[2]) == .null, "a request behind a busy one goes to a task")
                #expect(frames[2].isFinal && frames[2].errorCode == nil)
                // Idle again: the next append is served by the event loop.
                try client.send(#"{"id":5,"verb":"append","args":{"immediate":true,"n":5}}"# + "\n")
                let fifth = try client.readFrame()
                #expect(fifth.id == 5 && Self.served(fifth) == "event loop")
                guard case .result(_, let value) = fifth else { return }
                #expect(value["args"]?["n"] == 5)
                #expect(value["actor"] != nil)
            }
            #expect(server.statistics.requests == 6)
        }
    }

    @Test func anAppendBehindABusyRequestWaitsForItsTurn() async throws {
        let gates = Gates()
        try await withServer(handler: TestHandler(gates: gates)) { _, path in
            try await onThread {
                let client = try RawClient(path: path)
                try Self.waitUntilIdentified(client)
                try client.send(
                    #"{"id":"h","verb":"history","args":{"gate":"h"}}"# + "\n"
                        + #"{"id":"a","verb":"append","args":{"immediate":true}}"# + "\n")
                while gates.waitingCount("h") == 0 { usleep(1000) }
                usleep(50_000)
                gates.open("h")
                let frames = try (0..<2).map { _ in try client.readFrame() }
                #expect(frames.map(\.id) == ["h", "a"])
                #expect(Self.served(frames[1]) == .null)
            }
        }
    }

    @Test func whatTheFastPathDeclinesGetsTheUsualAnswer() async throws {
        try await withServer { _, path in
            try await onThread {
                let client = try RawClient(path: path)
                // Not an append, though it says "append"; an append the handler
                // declines; and a line that is not JSON: each as a task would answer.
                try client.send(#"{"id":1,"verb":"history","args":{"note":"append"}}"# + "\n")
                #expect(Self.served(try client.readFrame()) == .null)
                try client.send(#"{"id":2,"verb":"append","args":{"n":2}}"# + "\n")
                let declined = try client.readFrame()
                #expect(declined.id == 2 && Self.served(declined) == .null)
                try client.send(#"{"id":3,"verb":"append","#  + "\n")
                #expect(try client.readFrame().errorCode == .malformedJSON)
                try client.send(#"{"id":4,"verb":"append","args":{"immediate":true}}"# + "\n")
                #expect(Self.served(try client.readFrame()) == "event loop")
            }
        }
    }

    @Test func shutdownAnswersAnAppendTheEventLoopStarted() async throws {
        let gates = Gates()
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let path = directory + "/s.sock"
        let server = LedgerSocketServer(
            configuration: .init(listener: .path(path), shutdownGrace: .seconds(30)), handler: TestHandler(gates: gates),
            logger: testLogger)
        try await server.start()
        let client = try await onThread { try RawClient(path: path) }
        try await onThread { try Self.waitUntilIdentified(client) }
        try client.send(#"{"id":1,"verb":"append","args":{"immediate":true,"gate":"s"}}"# + "\n")
        while gates.waitingCount("s") == 0 { try await Task.sleep(for: .milliseconds(1)) }
        let stopping = Task { await server.shutdown() }
        try await Task.sleep(for: .milliseconds(100))
        gates.open("s")
        let frame = try await onThread { try client.readFrame() }
        #expect(frame.id == 1 && Self.served(frame) == "event loop")
        await stopping.value
        #expect(try await onThread { try client.readLine() } == nil, "then the connection ends")
        #expect(!server.isRunning)
    }
}

@Suite struct AnswerInboxTests {
    final class Record: Sendable {
        let state = Mutex<(order: [[Int]], offLoop: Int)>(([[], []], 0))
    }

    /// Answers posted from other threads all run on the event loop, each
    /// thread's in the order it posted them, none lost.
    @Test func answersRunOnTheLoopInPostedOrder() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let inbox = AnswerInbox(eventLoop: loop)
        let record = Record()
        let perThread = 5_000
        async let first: Void = onThread { Self.post(perThread, as: 0, to: inbox, on: loop, into: record) }
        async let second: Void = onThread { Self.post(perThread, as: 1, to: inbox, on: loop, into: record) }
        _ = try await (first, second)
        try await loop.submit {}.get()  // every answer posted is now run
        let result = record.state.withLock { $0 }
        #expect(result.offLoop == 0)
        #expect(result.order[0] == Array(0..<perThread))
        #expect(result.order[1] == Array(0..<perThread))
    }

    static func post(_ count: Int, as thread: Int, to inbox: AnswerInbox, on loop: any EventLoop, into record: Record) {
        for n in 0..<count {
            inbox.post {
                let onLoop = loop.inEventLoop
                record.state.withLock {
                    $0.order[thread].append(n)
                    if !onLoop { $0.offLoop += 1 }
                }
            }
        }
    }
}
