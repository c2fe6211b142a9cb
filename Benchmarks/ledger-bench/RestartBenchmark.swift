import Foundation
import LedgerDemo
import LedgerEngine
import LedgerJSON

/// Restart alone: the time to open a ledger of N demo events (snapshot file
/// plus the log's tail) until it answers, `--runs` times, with a bloc-wide
/// report timed right after it and again once the background fold of the
/// restored members is done; then `--rebuilds`
/// full replays of the log (rebuild), timed by the engine, and `--verifies`
/// full verifications (leaves, tree, checkpoints, indexes, replay).
///
/// The ledger is made once under `$LEDGER_BENCH_DIR/ledger-N/` and reused by
/// later runs, so restart can be measured and profiled without loading the
/// events each time.
struct RestartBenchmark {
    let events: Int
    let runs: Int
    /// Rebuilds to time after the restarts (replay of the whole log into fresh projections).
    let rebuilds: Int
    /// Verifications to time after the rebuilds.
    var verifies: Int = 0

    func run() async throws {
        let base = ProcessInfo.processInfo.environment["LEDGER_BENCH_DIR"] ?? NSTemporaryDirectory()
        let dir = base + "/ledger-\(events)"
        var configuration = EngineConfiguration(dataDirectory: dir, origin: "bench.local/ledger")
        configuration.mapSizeInitialBytes = 1 << 30
        // Made once: `loaded` is written only after every event is in.
        let loaded = dir + "/loaded"
        if !FileManager.default.fileExists(atPath: loaded) {
            try? FileManager.default.removeItem(atPath: dir)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let engine = try LedgerEngine(configuration: configuration)
            let refused = await loadDemo(into: engine, events: events)
            if refused > 0 { throw BenchError("\(refused) demo events refused") }
            engine.shutdown()
            _ = FileManager.default.createFile(atPath: loaded, contents: Data("\(events)\n".utf8))
        }
        print("restart benchmark: \(events) events, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        var times: [Double] = []
        for _ in 0..<runs {
            var engine: LedgerEngine?
            let start = DispatchTime.now().uptimeNanoseconds
            let t = try seconds { engine = try LedgerEngine(configuration: configuration) }
            let status = try engine!.status()
            // Members restored from the snapshot are folded in the background
            // after the engine is ready; a bloc-wide report right away folds
            // the ones it reads that the warm-up has not reached yet.
            let report = QueryRequest(kind: .report(org: "DBK", from: "2025-01-01", to: "2025-12-31", format: "json"))
            let firstReport = try seconds { _ = try engine!.query(report) }
            engine!.waitUntilMembersFolded()
            let folded = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            let warmReport = try seconds { _ = try engine!.query(report) }
            engine!.shutdown()
            engine = nil
            times.append(t)
            print(String(format: "  restart %.3f s (size %d, snapshot at %d); members folded in the background by %.3f s", t,
                         status["size"]?.intValue ?? 0, status["snapshotSeq"]?.intValue ?? 0, folded))
            print(String(format: "    bloc-wide 2025 report right after the restart %.0f ms, once all are folded %.0f ms",
                         firstReport * 1000, warmReport * 1000))
        }
        print(String(format: "  best %.3f s, median %.3f s", times.min()!, times.sorted()[times.count / 2]))
        if verifies > 0 {
            let engine = try LedgerEngine(configuration: configuration)
            defer { engine.shutdown() }
            // Timed alone: not beside the warm-up of a fresh engine (as a
            // daemon's `verify` runs, long after its start).
            engine.waitUntilMembersFolded()
            for _ in 0..<verifies {
                var verdict: JSONValue = .null
                let t = try seconds { verdict = try engine.verify() }
                let checked = verdict["eventsChecked"]?.intValue ?? 0
                print(String(format: "  verify: %.0f events/s (%.2f s), ok: %@", Double(checked) / t, t,
                             verdict["ok"] == true ? "true" : "false"))
            }
        }
        if rebuilds > 0 {
            let engine = try LedgerEngine(configuration: configuration)
            defer { engine.shutdown() }
            engine.waitUntilMembersFolded()
            for _ in 0..<rebuilds {
                var rebuild: JSONValue = .null
                let call = try seconds { rebuild = try engine.rebuild() }
                // The rate is the replay's; the call also compares the two states' snapshots.
                print(String(format: "  rebuild: %d events/s, matches live: %@ (the whole call %.2f s)",
                             rebuild["eventsPerSecond"]?.intValue ?? 0, rebuild["matches"] == true ? "true" : "false", call))
            }
        }
    }
}
