import Foundation
import LedgerClient
import LedgerEngine
import LedgerJSON
import LedgerServer
import LedgerWire
import Logging

/// Over a real Unix socket, against the real server and engine in this
/// process, with clients on their own threads (blocking POSIX clients, as
/// ledgerctl is): query requests/s with p50/p99, durable single-event appends
/// with 1, 8 and 64 clients, the same closed loops multiplexed on one client
/// thread (with the commits' mean size), and a bulk pipelined append like
/// `ledgerctl append`. The clients never run on the cooperative pool: it has
/// one thread per core, and the server's tasks need both.
struct SocketBenchmark {
    let events: Int
    let bulk: Int

    func run() async throws {
        let dir = benchDirectory("socket")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var configuration = EngineConfiguration(dataDirectory: dir + "/data", origin: "bench.local/ledger")
        configuration.mapSizeInitialBytes = 1 << 30
        let engine = try LedgerEngine(configuration: configuration)
        let logger = Logger(label: "bench", factory: { _ in SwiftLogNoOpLogHandler() })
        let handler = EngineRequestHandler(engine: engine, logger: logger, serverStatus: { [:] },
                                           reload: { .success(.null) })
        let socket = dir + "/s.sock"
        let server = LedgerSocketServer(
            configuration: .init(listener: .path(socket, mode: 0o600), connectionsMax: 512, requestsInFlightMax: 256),
            handler: handler, logger: logger)
        try await server.start()
        // The clients block; off the cooperative pool, whose threads serve the requests.
        try await onOwnThread { [self] in try runClients(socket: socket, engine: engine) }
        await server.shutdown()
        engine.shutdown()
    }

    /// Every client-side measurement, in turn, on the calling (non-pool) thread.
    private func runClients(socket: String, engine: LedgerEngine) throws {
        print("socket benchmark (in-process server; blocking clients on threads, then closed loops multiplexed on one thread)")
        let setup = try LedgerConnection(socketPath: socket)
        _ = try setup.call(verb: "append", args: ["events": .array(SampleEvents.setup), "atomic": true])

        for clients in [1, 8] {
            let (rate, p50, p99) = try measure(clients: clients, requests: 20_000 / clients, socket: socket) { _, _ in
                ("status", [:])
            }
            print(String(format: "  status queries, %2d clients: %8.0f req/s  p50 %.3f ms  p99 %.3f ms", clients, rate, p50, p99))
        }
        for clients in [1, 8, 64] {
            let perClient = max(1, min(events, clients == 1 ? 3_000 : events) / clients)
            let (rate, p50, p99) = try measure(clients: clients, requests: perClient, socket: socket) { c, i in
                ("append", ["events": .array([SampleEvents.task(c * 1_000_000 + i)])])
            }
            print(String(format: "  durable appends, %2d clients: %8.0f events/s  p50 %.3f ms  p99 %.3f ms", clients, rate, p50, p99))
        }
        // The same closed loops, driven from one thread (as wrk or memtier
        // would): the server's rate without 64 client threads competing with
        // it for the two cores.
        for clients in [8, 64] {
            let perClient = max(1, events / clients)
            let lines = (0..<clients).map { c in
                (0..<perClient).map { i in
                    WireRequest(id: .int(Int64(i + 1)), verb: "append",
                                args: ["events": .array([SampleEvents.task(5_000_000 + c * 1_000_000 + i)])]).encodedLine()
                }
            }
            let before = engine.commitStatistics
            let (rate, latencies, failed) = try MultiplexedClients(lines: lines, socketPath: socket).run { frame in
                guard case .result(_, let value) = frame else { return false }
                return value["results"]?.arrayValue?.first?["seq"] != nil
            }
            if failed > 0 { print("  (\(failed) requests failed)") }
            let sorted = latencies.sorted()
            let after = engine.commitStatistics
            print(String(format: "  durable appends, %2d clients on one thread (poll): %8.0f events/s  p50 %.3f ms  p99 %.3f ms  (%.1f events a commit; ",
                         clients, rate, sorted[sorted.count / 2], sorted[sorted.count * 99 / 100],
                         Double(after.events - before.events) / Double(max(1, after.groups - before.groups)))
                  + recentCommitTimes(engine) + ")")
        }

        // Bulk: batches of 500 events, up to 8 requests in flight on one connection.
        let connection = try LedgerConnection(socketPath: socket)
        let started = DispatchTime.now().uptimeNanoseconds
        var sent = 0, received = 0
        while received < bulk {
            while sent < bulk && connection.pendingCount < 8 {
                let batch = (sent..<min(sent + 500, bulk)).map { SampleEvents.task(9_000_000 + $0) }
                try connection.send(verb: "append", args: ["events": .array(batch)])
                sent += batch.count
            }
            let response = try connection.receive()
            guard case .success(let value) = response.result else { throw BenchError("bulk append refused") }
            received += value["results"]?.arrayValue?.count ?? 0
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        print("  bulk pipelined append (500 a request, 8 in flight): \(rate(bulk, seconds))")
    }

    /// Runs `clients` threads each doing `requests` sequential round trips.
    private func measure(clients: Int, requests: Int, socket: String,
                         request: @escaping @Sendable (Int, Int) -> (String, [String: JSONValue])) throws
        -> (Double, Double, Double)
    {
        let collected = Collected()
        let group = DispatchGroup()
        let started = DispatchTime.now().uptimeNanoseconds
        for c in 0..<clients {
            group.enter()
            Thread.detachNewThread {
                defer { group.leave() }
                var mine: [Double] = []
                mine.reserveCapacity(requests)
                var failed = 0
                do {
                    let connection = try LedgerConnection(socketPath: socket)
                    for i in 0..<requests {
                        let (verb, args) = request(c, i)
                        let t = DispatchTime.now().uptimeNanoseconds
                        let result = try connection.call(verb: verb, args: args)
                        if verb == "append", result["results"]?.arrayValue?.first?["seq"] == nil { failed += 1 }
                        mine.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
                    }
                } catch {
                    failed += 1
                }
                collected.add(mine, failed: failed)
            }
        }
        group.wait()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let (all, failures) = collected.result()
        if failures > 0 { print("  (\(failures) requests failed)") }
        let latencies = all.sorted()
        guard !latencies.isEmpty else { return (0, 0, 0) }
        return (Double(latencies.count) / seconds, latencies[latencies.count / 2], latencies[latencies.count * 99 / 100])
    }
}

/// Latencies gathered from client threads.
final class Collected: @unchecked Sendable {
    // @unchecked: guarded by `lock`.
    private let lock = NSLock()
    private var latencies: [Double] = []
    private var failures = 0

    func add(_ values: [Double], failed: Int) {
        lock.lock()
        latencies += values
        failures += failed
        lock.unlock()
    }

    func result() -> ([Double], Int) {
        lock.lock()
        defer { lock.unlock() }
        return (latencies, failures)
    }
}
