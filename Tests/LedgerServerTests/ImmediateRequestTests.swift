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

    /// Returns once an append on `client`'s connection is served by the event
    /// loop, and the connection is idle. The fast path starts once the
    /// connection's peer is identified (off the event loop, as it opens), and
    /// a task's answer can reach the client a moment before the task ends its
    /// turn, so a request sent right after it may still go to a task. An
    /// answer from the event loop, though, is written by the loop after its
    /// turn has ended: the next line finds the connection idle.
    static func reachFastPath(_ client: RawClient) throws {
        for attempt in 0..<2_000 {
            try client.send(#"{"id":"probe","verb":"append","args":{"immediate":true,"probe":\#(attempt)}}"# + "\n")
            if served(try client.readFrame()) == "event loop" { return }
            usleep(1_000)
        }
        throw RawClient.Failure(description: "no append on this connection was served by the event loop")
    }

    @Test func anAppendOnAnIdleConnectionIsServedImmediatelyAndAnsweredInTurn() async throws {
        let gates = Gates()
        try await withServer(handler: TestHandler(gates: gates)) { server, path in
            try await onThread {
                let client = try RawClient(path: path)
                try Self.reachFastPath(client)
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
                try Self.reachFastPath(client)
                let before = server.statistics.requests
                try client.send(#"{"id":5,"verb":"append","args":{"immediate":true,"n":5}}"# + "\n")
                let fifth = try client.readFrame()
                #expect(fifth.id == 5 && Self.served(fifth) == "event loop")
                guard case .result(_, let value) = fifth else { return }
                #expect(value["args"]?["n"] == 5)
                #expect(value["actor"] != nil)
                #expect(server.statistics.requests == before + 1, "an immediate request is counted")
            }
        }
    }

    @Test func anAppendBehindABusyRequestWaitsForItsTurn() async throws {
        let gates = Gates()
        try await withServer(handler: TestHandler(gates: gates)) { _, path in
            try await onThread {
                let client = try RawClient(path: path)
                try Self.reachFastPath(client)
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
                // And the event loop still serves what it may.
                try Self.reachFastPath(client)
            }
        }
    }

    /// The race a review found. A task's final frame is queued on the event
    /// loop when its turn ends; an append read right after it, in the same
    /// pass over the loop's ready sockets, served by the loop and answered at
    /// once, used to join a batch of answers queued on the loop before that
    /// frame, and went out first. Made certain here: the loop is held inside
    /// a read (C's append starting) while the batch and the frame queue up,
    /// and A's append is ready in the same pass.
    @Test func anAnswerAtOnceNeverOvertakesTheFrameBeforeIt() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let gates = Gates()
        let inRead = DispatchSemaphore(value: 0), leaveRead = DispatchSemaphore(value: 0)
        let handler = TestHandler(gates: gates) { request in
            if request.args["hold"] == true {
                inRead.signal()
                _ = leaveRead.wait(timeout: .now() + 30)  // never hang the loop for good
            }
        }
        defer { leaveRead.signal() }
        let directory = makeTemporaryDirectory()
        defer { removeDirectory(directory) }
        let path = directory + "/s.sock"
        let server = LedgerSocketServer(
            configuration: .init(listener: .path(path)), handler: handler, logger: testLogger, eventLoopGroup: group)
        try await server.start()
        let (a, b, c) = try await onThread { (try RawClient(path: path), try RawClient(path: path), try RawClient(path: path)) }
        try await onThread {
            for client in [a, b, c] { try Self.reachFastPath(client) }
        }
        // A: a request served by a task, held at a gate. B: an append served by the loop, held at a gate.
        try a.send(#"{"id":"s","verb":"history","args":{"gate":"s"}}"# + "\n")
        try b.send(#"{"id":"b","verb":"append","args":{"immediate":true,"gate":"b"}}"# + "\n")
        while gates.waitingCount("s") == 0 || gates.waitingCount("b") == 0 { try await Task.sleep(for: .milliseconds(1)) }
        // With the loop busy, C's append and then A's become ready together.
        let busy = DispatchSemaphore(value: 0), free = DispatchSemaphore(value: 0)
        loop.execute {
            busy.signal()
            free.wait()
        }
        try await onThread { busy.wait() }
        try c.send(#"{"id":"c","verb":"append","args":{"immediate":true,"hold":true}}"# + "\n")
        try a.send(#"{"id":"a","verb":"append","args":{"immediate":true}}"# + "\n")
        try await Task.sleep(for: .milliseconds(20))
        free.signal()
        // The loop is now inside C's read. B's answer is posted (a batch
        // queued on the loop); A's task writes its frame (queued behind it)
        // and ends its turn; then the loop goes on to read A's append.
        let entered = try await onThread { inRead.wait(timeout: .now() + 30) == .success }
        try #require(entered, "C's append is served on the event loop")
        gates.open("b")
        try await Task.sleep(for: .milliseconds(50))
        gates.open("s")
        try await Task.sleep(for: .milliseconds(50))
        leaveRead.signal()
        let frames = try await onThread { try (0..<2).map { _ in try a.readFrame() } }
        #expect(frames.map(\.id) == ["s", "a"])
        // Served by the event loop: else the run did not set the race up (A's
        // append read before `s` had ended its turn goes to a task).
        #expect(frames.last.flatMap(Self.served) == "event loop")
        #expect(try await onThread { try b.readFrame().id } == "b")
        #expect(try await onThread { try c.readFrame().id } == "c")
        await server.shutdown()
        try await group.shutdownGracefully()
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
        try await onThread { try Self.reachFastPath(client) }
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
        // Answers run in the order posted: once this one has, so has every other.
        let done = loop.makePromise(of: Void.self)
        inbox.post { done.succeed() }
        try await done.futureResult.get()
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
