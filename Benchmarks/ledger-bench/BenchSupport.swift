import Foundation
import LedgerDemo
import LedgerEngine
import LedgerJSON

/// A fresh directory under `$LEDGER_BENCH_DIR` (default: the system temp dir).
func benchDirectory(_ name: String) -> String {
    let base = ProcessInfo.processInfo.environment["LEDGER_BENCH_DIR"] ?? NSTemporaryDirectory()
    let path = base + "/ledger-bench-\(name)-\(getpid())"
    try? FileManager.default.removeItem(atPath: path)
    try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = DispatchTime.now().uptimeNanoseconds
    try body()
    return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
}

func rate(_ count: Int, _ seconds: Double) -> String {
    let perSecond = Double(count) / seconds
    return perSecond >= 1e6 ? String(format: "%.2f M/s", perSecond / 1e6) : String(format: "%.1f k/s", perSecond / 1e3)
}

/// Resident set size in MiB (from /proc/self/statm).
func residentMiB() -> Double { residentKiB("VmRSS") / 1024 }

/// Resident anonymous memory (heap, stacks) in MiB: RSS without the pages of
/// mapped files, so the LMDB map (which the kernel may keep resident) is left out.
func anonymousMiB() -> Double { residentKiB("RssAnon") / 1024 }

private func residentKiB(_ field: String) -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
        return Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
    }
    return 0
}

/// A ~600-byte event record body, deterministic from `seq`.
func syntheticRecord(_ seq: UInt64) -> [UInt8] {
    let filler = String(repeating: "Nghị quyết chi bộ tháng ", count: 18)
    return Array("{\"data\":{\"cell\":\"C\(seq % 997)\",\"resolutions\":[\"\(filler)\"]},\"seq\":\(seq),\"type\":\"MeetingHeld\"}".utf8)
}

/// Appends `events` demo events (seed 42) to `engine` in batches of 1000 and
/// returns how many were refused. `each` sees every event before it is sent.
func loadDemo(into engine: LedgerEngine, events: Int, each: (JSONValue) -> Void = { _ in }) async -> Int {
    var demo = DemoConfiguration.sized(events: events, seed: 42)
    demo.recordsModel = false
    let actor = Actor(uid: 0, user: "bench")
    var batch: [JSONValue] = []
    var refused = 0
    for event in DemoGenerator(demo) {
        each(event)
        batch.append(event)
        if batch.count == 1_000 {
            refused += await engine.append(batch, actor: actor, atomic: false).filter { $0.seq == nil }.count
            batch.removeAll(keepingCapacity: true)
        }
    }
    refused += await engine.append(batch, actor: actor, atomic: false).filter { $0.seq == nil }.count
    return refused
}

/// Writes the engine's whole export (JSON Lines) to `path`, 1 MiB at a time.
func writeExport(of engine: LedgerEngine, to path: String) throws {
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    var buffer: [UInt8] = []
    try engine.export { _, line in
        buffer.append(contentsOf: line)
        buffer.append(10)
        if buffer.count > 1 << 20 {
            handle.write(Data(buffer))
            buffer.removeAll(keepingCapacity: true)
        }
        return true
    }
    handle.write(Data(buffer))
    try handle.close()
}

/// Runs blocking `body` on a thread of its own and awaits its result. Client
/// loops that block (sockets, semaphores) must not run on the cooperative
/// pool: it has one thread per core, and a blocked one is taken from the
/// server's tasks in the same process.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        Thread.detachNewThread {
            continuation.resume(with: Result { try body() })
        }
    }
}

/// The engine's latest durable commits as `status` reports them (the last
/// 1024): "commit p50 0.48 ms, p99 1.20 ms". The disk's pace at the time of
/// a run, printed beside its rate: this VM's disk varies by 2–3× by the hour.
func recentCommitTimes(_ engine: LedgerEngine) -> String {
    guard let recent = try? engine.status()["recentCommits"],
          let p50 = recent["p50Micros"]?.intValue, let p99 = recent["p99Micros"]?.intValue else { return "no commit yet" }
    return String(format: "commit p50 %.2f ms, p99 %.2f ms", Double(p50) / 1_000, Double(p99) / 1_000)
}

/// Where a benchmark also writes its figures as JSON Lines, one a figure:
/// `$LEDGER_BENCH_RESULTS`, if set (`scripts/bench-curve.sh` reads them to
/// draw a figure against the ledger's size). The printed lines stay the
/// record for people; these are for scripts.
struct BenchResults {
    let benchmark: String
    let events: Int
    private static let path = ProcessInfo.processInfo.environment["LEDGER_BENCH_RESULTS"]

    /// Appends `{"benchmark":…,"events":N,"metric":…,"value":V,"unit":…}`.
    /// `metric` and `unit` are plain ASCII names chosen here, so the line is
    /// written as it stands.
    func record(_ metric: String, _ value: Double, _ unit: String) {
        guard let path = Self.path, value.isFinite else { return }
        let line = String(format: "{\"benchmark\":\"%@\",\"events\":%ld,\"metric\":\"%@\",\"value\":%.6g,\"unit\":\"%@\"}\n",
                          benchmark, events, metric, value, unit)
        guard let handle = FileHandle(forWritingAtPath: path) ?? {
            FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil
        }() else {
            FileHandle.standardError.write(Data("ledger-bench: cannot write \(path)\n".utf8))
            return
        }
        handle.seekToEndOfFile()
        handle.write(Data(line.utf8))
        try? handle.close()
    }
}
