import Foundation

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
func residentMiB() -> Double {
    guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return 0 }
    let fields = text.split(separator: " ")
    guard fields.count > 1, let pages = Double(fields[1]) else { return 0 }
    return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
}

/// A ~600-byte event record body, deterministic from `seq`.
func syntheticRecord(_ seq: UInt64) -> [UInt8] {
    let filler = String(repeating: "Nghị quyết chi bộ tháng ", count: 18)
    return Array("{\"data\":{\"cell\":\"C\(seq % 997)\",\"resolutions\":[\"\(filler)\"]},\"seq\":\(seq),\"type\":\"MeetingHeld\"}".utf8)
}
