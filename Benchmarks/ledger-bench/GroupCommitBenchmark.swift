import Foundation
import LedgerEngine
import LedgerJSON

/// N concurrent clients each appending single events through group commit,
/// beside one client doing the same (the baseline), durable throughout.
/// With `runs` > 1 the N-client part runs that many times, each on a fresh
/// ledger, and the median is printed: this VM's disk varies by a third from
/// one quarter hour to the next.
struct GroupCommitBenchmark {
    let clients: Int
    let events: Int
    var runs: Int = 1

    func run() async throws {
        print("group commit benchmark: \(events) single-event appends")
        let single = try await measure(clients: 1, events: min(events, 5_000))
        print("  1 client:            \(rate(single.0, single.1))")
        var rates: [Double] = []
        for _ in 0..<max(1, runs) {
            let many = try await measure(clients: clients, events: events)
            rates.append(Double(many.0) / many.1)
            print("  \(clients) clients:          \(rate(many.0, many.1))"
                  + String(format: "  (%.1fx one client)", (Double(many.0) / many.1) / (Double(single.0) / single.1)))
        }
        if rates.count > 1 {
            let sorted = rates.sorted()
            let median = sorted.count % 2 == 1
                ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
            print(String(format: "  %d clients, %d runs: median %.1f k/s, range %.1f–%.1f k/s", clients, rates.count,
                         median / 1000, sorted.first! / 1000, sorted.last! / 1000))
        }
    }

    private func measure(clients: Int, events: Int) async throws -> (Int, Double) {
        let dir = benchDirectory("group-\(clients)")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let engine = try LedgerEngine(configuration: EngineConfiguration(dataDirectory: dir, origin: "bench.local/ledger"))
        defer { engine.shutdown() }
        let actor = Actor(uid: 0, user: "bench")
        for outcome in await engine.append(SampleEvents.setup, actor: actor, atomic: true) where outcome.seq == nil {
            throw BenchError("setup refused: \(outcome.json)")
        }
        let perClient = events / clients
        let start = DispatchTime.now().uptimeNanoseconds
        let refused = await withTaskGroup(of: Int.self) { group in
            for c in 0..<clients {
                group.addTask {
                    var refused = 0
                    for i in 0..<perClient {
                        let outcome = await engine.append([SampleEvents.task(c * perClient + i)], actor: actor, atomic: true)
                        if outcome.first?.seq == nil { refused += 1 }
                    }
                    return refused
                }
            }
            return await group.reduce(0, +)
        }
        let elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if refused > 0 { throw BenchError("\(refused) appends refused") }
        let stats = engine.commitStatistics
        print(String(format: "    (%d commits, %.1f events per commit; ", stats.groups, Double(stats.events) / Double(max(stats.groups, 1)))
              + recentCommitTimes(engine) + ")")
        return (perClient * clients, elapsed)
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
