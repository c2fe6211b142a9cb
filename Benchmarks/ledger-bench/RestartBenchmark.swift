import Foundation
import LedgerDemo
import LedgerEngine
import LedgerJSON

/// Restart alone: the time to open a ledger of N demo events (snapshot file
/// plus the log's tail) until it answers, `--runs` times.
///
/// The ledger is made once under `$LEDGER_BENCH_DIR/ledger-N/` and reused by
/// later runs, so restart can be measured and profiled without loading the
/// events each time.
struct RestartBenchmark {
    let events: Int
    let runs: Int

    func run() async throws {
        let base = ProcessInfo.processInfo.environment["LEDGER_BENCH_DIR"] ?? NSTemporaryDirectory()
        let dir = base + "/ledger-\(events)"
        var configuration = EngineConfiguration(dataDirectory: dir, origin: "bench.local/ledger")
        configuration.mapSizeInitialBytes = 1 << 30
        if !FileManager.default.fileExists(atPath: dir + "/state.snapshot") {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            let engine = try LedgerEngine(configuration: configuration)
            var demo = DemoConfiguration.sized(events: events, seed: 42)
            demo.recordsModel = false
            var batch: [JSONValue] = []
            for event in DemoGenerator(demo) {
                batch.append(event)
                if batch.count == 1_000 {
                    _ = await engine.append(batch, actor: Actor(uid: 0, user: "bench"), atomic: false)
                    batch.removeAll(keepingCapacity: true)
                }
            }
            _ = await engine.append(batch, actor: Actor(uid: 0, user: "bench"), atomic: false)
            engine.shutdown()
        }
        print("restart benchmark: \(events) events, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        var times: [Double] = []
        for _ in 0..<runs {
            var engine: LedgerEngine?
            let t = try seconds { engine = try LedgerEngine(configuration: configuration) }
            let status = try engine!.status()
            engine!.shutdown()
            engine = nil
            times.append(t)
            print(String(format: "  restart %.3f s (size %d, snapshot at %d)", t,
                         status["size"]?.intValue ?? 0, status["snapshotSeq"]?.intValue ?? 0))
        }
        print(String(format: "  best %.3f s, median %.3f s", times.min()!, times.sorted()[times.count / 2]))
    }
}
