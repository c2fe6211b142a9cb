import Crypto
import Foundation
import LedgerClient
import LedgerDemo
import LedgerEngine
import LedgerJSON

/// Loads N demo events through the engine, then measures: rebuild (replay of
/// the whole log into fresh projections), query latency (p50/p99 in-process),
/// a bloc-wide one-year report, verify and offline verify-export against raw
/// SHA-256 of the same bytes, restart time and resident memory.
struct ProjectionBenchmark {
    let events: Int

    func run() async throws {
        let dir = benchDirectory("projections")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var configuration = EngineConfiguration(dataDirectory: dir, origin: "bench.local/ledger")
        configuration.mapSizeInitialBytes = 1 << 30
        var engine = try LedgerEngine(configuration: configuration)
        print("projection benchmark: \(events) demo events")
        let results = BenchResults(benchmark: "projections", events: events)
        let rssStart = residentMiB()
        var refused = 0
        var firstDate = "", lastDate = ""
        let loadSeconds = await asyncSeconds {
            refused = await loadDemo(into: engine, events: events) { event in
                if firstDate.isEmpty { firstDate = event["occurredOn"]?.stringValue ?? "" }
                lastDate = event["occurredOn"]?.stringValue ?? lastDate
            }
        }
        if refused > 0 { throw BenchError("\(refused) demo events refused") }
        print("  load through the engine (batches of 1000, durable): \(rate(events, loadSeconds))")
        print("  memory after load: RSS \(Int(residentMiB())) MiB, of it anonymous (heap) \(Int(anonymousMiB())) MiB (start \(Int(rssStart)) MiB)")
        results.record("load", Double(events) / loadSeconds, "events/s")
        results.record("heap-after-load", anonymousMiB(), "MiB")

        let rebuild = try engine.rebuild()
        print("  rebuild (replay all events into fresh projections): \(rebuild["eventsPerSecond"]?.intValue ?? 0) events/s, matches live: \(rebuild["matches"] == true)")
        results.record("rebuild", Double(rebuild["eventsPerSecond"]?.intValue ?? 0), "events/s")

        let status = try engine.status()
        let bloc = "DBK"
        let year = String(lastDate.prefix(4))
        let reportFrom = "\(Int(year)! - 1)-01-01", reportTo = "\(Int(year)! - 1)-12-31"
        var reportTimes: [Double] = []
        for _ in 0..<5 {
            reportTimes.append(try seconds { _ = try engine.query(QueryRequest(kind: .report(org: bloc, from: reportFrom, to: reportTo, format: "json"))) })
        }
        print(String(format: "  bloc-wide report %@…%@: median %.1f ms", reportFrom, reportTo, reportTimes.sorted()[2] * 1000))
        results.record("report", reportTimes.sorted()[2] * 1000, "ms")

        let members = try engine.query(QueryRequest(kind: .members(org: bloc, includeDeparted: false)))
        let ids = (members["members"]?.arrayValue ?? []).compactMap { $0["memberId"]?.stringValue }
        var latencies: [Double] = []
        var generator = SplitMix(seed: 7)
        for i in 0..<20_000 {
            let id = ids[Int(generator.next() % UInt64(ids.count))]
            let request = i % 2 == 0
                ? QueryRequest(kind: .member(id: id))
                : QueryRequest(kind: .member(id: id), asOf: reportTo)
            let t = DispatchTime.now().uptimeNanoseconds
            do {
                _ = try engine.query(request)
            } catch let error as EngineError where error.code == .notFound {
                // A member registered after the as-of date: a correct answer too.
            }
            latencies.append(Double(DispatchTime.now().uptimeNanoseconds - t) / 1e6)
        }
        latencies.sort()
        print(String(format: "  member query (current / as-of, %d members): p50 %.3f ms, p99 %.3f ms",
                     ids.count, latencies[latencies.count / 2], latencies[latencies.count * 99 / 100]))
        results.record("members", Double(ids.count), "members")
        results.record("member-query-p50", latencies[latencies.count / 2], "ms")
        results.record("member-query-p99", latencies[latencies.count * 99 / 100], "ms")

        let verifySeconds = try seconds { _ = try engine.verify() }
        print("  verify (leaves, tree, checkpoints, replay, indexes): \(rate(events, verifySeconds))")
        results.record("verify", Double(events) / verifySeconds, "events/s")

        // Export, then verify-export offline against raw SHA-256 of the same bytes.
        let exportPath = dir + "/export.jsonl"
        try writeExport(of: engine, to: exportPath)
        let checkpoint = try engine.latestCheckpoint().note
        let verifier = try ExportVerifier(signedCheckpoint: checkpoint, verifierKey: engine.verifierKey)
        let fd = open(exportPath, O_RDONLY)
        var ok = false
        let exportSeconds = seconds { ok = verifier.verify(fileDescriptor: fd).ok }
        close(fd)
        do {
            let shaSeconds = try Self.rawLineHashingSeconds(path: exportPath)
            print("  verify-export offline: \(rate(events, exportSeconds)) (ok: \(ok)); raw SHA-256 of the same lines: \(rate(events, shaSeconds))"
                  + String(format: " → %.0f%% of raw", 100 * shaSeconds / exportSeconds))
            // A failed verification is no rate (the printed line says ok: false).
            if ok {
                results.record("verify-export", Double(events) / exportSeconds, "events/s")
                results.record("verify-export-vs-raw", 100 * shaSeconds / exportSeconds, "%")
            }
            results.record("raw-sha256", Double(events) / shaSeconds, "events/s")
            results.record("verify-vs-raw", 100 * shaSeconds / verifySeconds, "%")
        }
        try? FileManager.default.removeItem(atPath: exportPath)
        engine.shutdown()
        // The old engine's memory is freed before the clock starts: a real
        // restart is a new process, which does not pay for the old one's heap.
        let placeholderDirectory = benchDirectory("empty")
        defer { try? FileManager.default.removeItem(atPath: placeholderDirectory) }
        let placeholder = try LedgerEngine(
            configuration: EngineConfiguration(dataDirectory: placeholderDirectory, origin: "bench.local/empty"))
        engine = placeholder
        let restart = try seconds { engine = try LedgerEngine(configuration: configuration) }
        placeholder.shutdown()
        print(String(format: "  restart (snapshot + tail): %.3f s", restart))
        print("  log size \(status["size"]?.intValue ?? 0) events, data \((status["mapUsedBytes"]?.intValue ?? 0) >> 20) MiB; after restart RSS \(Int(residentMiB())) MiB, anonymous \(Int(anonymousMiB())) MiB")
        results.record("restart", restart, "s")
        results.record("data", Double(status["mapUsedBytes"]?.intValue ?? 0) / 1_048_576, "MiB")
        results.record("heap-after-restart", anonymousMiB(), "MiB")
        engine.shutdown()
    }

    /// The time SHA-256 alone takes over every line of the file (the baseline
    /// for verify-export): the file is read 64 MiB at a time and split into
    /// lines outside the clock, so memory stays bounded at 10 M events and
    /// only the hashing is timed.
    static func rawLineHashingSeconds(path: String) throws -> Double {
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw BenchError("cannot open \(path)") }
        defer { close(fd) }
        var total = 0.0
        var carry: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 << 20)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            guard n > 0 else { break }
            var bytes = carry
            bytes.append(contentsOf: chunk[0..<n])
            guard let lastNewline = bytes.lastIndex(of: 10) else {
                carry = bytes
                continue
            }
            let lines = bytes[..<lastNewline].split(separator: 10)
            total += seconds { for line in lines { _ = SHA256.hash(data: line) } }
            carry = Array(bytes[(lastNewline + 1)...])
        }
        if !carry.isEmpty { total += seconds { _ = SHA256.hash(data: carry) } }
        return total
    }
}

struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func asyncSeconds(_ body: () async throws -> Void) async rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try await body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}
