// ledger-bench: reproducible measurements for docs/BENCHMARKS.md, and the
// crash-test child. Run release builds only:
//
//   swift build -c release --product ledger-bench
//   .build/release/ledger-bench storage [--events N] [--batch N]
//   .build/release/ledger-bench group-commit [--clients N] [--events N] [--runs N]
//   .build/release/ledger-bench projections [--events N]
//   .build/release/ledger-bench socket [--events N] [--bulk N]
//   .build/release/ledger-bench verify-export [--events N] [--runs N]
//   .build/release/ledger-bench restart [--events N] [--runs N] [--rebuilds N] [--verifies N]
//   .build/release/ledger-bench crash-child DIR [--snapshot-every N]   (used by the crash test)
//
// Each benchmark runs its baseline in the same process and prints ratios.
import Foundation

let arguments = Array(CommandLine.arguments.dropFirst())
guard let command = arguments.first else {
    print("usage: ledger-bench storage|group-commit|projections|socket|verify-export|restart|crash-child [options]")
    exit(2)
}

func option(_ name: String, default value: Int) -> Int {
    guard let i = arguments.firstIndex(of: name), i + 1 < arguments.count, let n = Int(arguments[i + 1]) else {
        return value
    }
    return n
}

do {
    switch command {
    case "storage":
        try StorageBenchmark(events: option("--events", default: 1_000_000), batch: option("--batch", default: 1_000)).run()
    case "group-commit":
        try await GroupCommitBenchmark(clients: option("--clients", default: 64), events: option("--events", default: 200_000),
                                       runs: option("--runs", default: 1)).run()
    case "projections":
        try await ProjectionBenchmark(events: option("--events", default: 1_000_000)).run()
    case "socket":
        try await SocketBenchmark(events: option("--events", default: 50_000), bulk: option("--bulk", default: 200_000)).run()
    case "verify-export":
        try await ExportVerifyBenchmark(events: option("--events", default: 1_000_000), runs: option("--runs", default: 3)).run()
    case "restart":
        try await RestartBenchmark(
            events: option("--events", default: 1_000_000), runs: option("--runs", default: 3),
            rebuilds: option("--rebuilds", default: 0), verifies: option("--verifies", default: 0)).run()
    case "crash-child":
        guard arguments.count >= 2 else { print("usage: ledger-bench crash-child DIR"); exit(2) }
        try await CrashChild(directory: arguments[1], snapshotEvery: UInt64(option("--snapshot-every", default: 100_000))).run()
    default:
        print("unknown benchmark '\(command)'")
        exit(2)
    }
} catch {
    FileHandle.standardError.write(Data("ledger-bench: \(error)\n".utf8))
    exit(1)
}
