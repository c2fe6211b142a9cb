import Foundation
import LedgerClient
import LedgerDemo
import LedgerEngine
import LedgerJSON

/// verify-export alone, against raw SHA-256 of the same lines in the same run.
///
/// The export (N demo events), its checkpoint and verifier key are made once
/// under `$LEDGER_BENCH_DIR/export-N/` and reused by later runs, so the
/// verifier can be measured again without loading the ledger each time.
/// Each side is timed `--runs` times (default 3) from the page cache; the
/// best of each is compared.
struct ExportVerifyBenchmark {
    let events: Int
    let runs: Int

    func run() async throws {
        let base = ProcessInfo.processInfo.environment["LEDGER_BENCH_DIR"] ?? NSTemporaryDirectory()
        let dir = base + "/export-\(events)"
        let exportPath = dir + "/export.jsonl", checkpointPath = dir + "/checkpoint", keyPath = dir + "/vkey"
        if !FileManager.default.fileExists(atPath: keyPath) {
            try await Self.makeExport(events: events, directory: dir)
        }
        let checkpoint = try String(contentsOfFile: checkpointPath, encoding: .utf8)
        let key = try String(contentsOfFile: keyPath, encoding: .utf8)
        let verifier = try ExportVerifier(signedCheckpoint: checkpoint, verifierKey: key)
        let bytes = (try FileManager.default.attributesOfItem(atPath: exportPath)[.size] as? Int) ?? 0
        print("verify-export benchmark: \(events) events, \(bytes >> 20) MiB, \(ProcessInfo.processInfo.activeProcessorCount) cores")
        var best = Double.infinity, bestSHA = Double.infinity
        for _ in 0..<runs {
            let fd = open(exportPath, O_RDONLY)
            var outcome: ExportVerifier.Result?
            let t = seconds { outcome = verifier.verify(fileDescriptor: fd) }
            close(fd)
            guard let result = outcome, result.ok, result.linesRead == UInt64(events) else {
                throw BenchError("verify-export failed: \(outcome?.failure ?? "read \(outcome?.linesRead ?? 0) lines")")
            }
            let sha = try ProjectionBenchmark.rawLineHashingSeconds(path: exportPath)
            print("  verify-export \(rate(events, t)), raw SHA-256 of the lines \(rate(events, sha))")
            best = min(best, t)
            bestSHA = min(bestSHA, sha)
        }
        print(String(format: "  best: verify-export %@, raw SHA-256 %@ → %.0f%% of raw",
                     rate(events, best), rate(events, bestSHA), 100 * bestSHA / best))
    }

    /// Loads `events` demo events into a ledger in a temporary directory and
    /// writes its export, latest checkpoint and verifier key into `directory`.
    static func makeExport(events: Int, directory: String) async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let ledgerDir = benchDirectory("export-source")
        defer { try? FileManager.default.removeItem(atPath: ledgerDir) }
        var configuration = EngineConfiguration(dataDirectory: ledgerDir, origin: "bench.local/ledger")
        configuration.mapSizeInitialBytes = 1 << 30
        let engine = try LedgerEngine(configuration: configuration)
        defer { engine.shutdown() }
        let refused = await loadDemo(into: engine, events: events)
        if refused > 0 { throw BenchError("\(refused) demo events refused") }
        try writeExport(of: engine, to: directory + "/export.jsonl")
        try engine.latestCheckpoint().note.write(toFile: directory + "/checkpoint", atomically: true, encoding: .utf8)
        try engine.verifierKey.write(toFile: directory + "/vkey", atomically: true, encoding: .utf8)
    }
}
