import Foundation
import Testing

/// The fuzzing targets of `Fuzz/ledger-fuzz` (which `scripts/fuzz.sh` runs
/// under libFuzzer), replayed by the normal build: every seed and every
/// input a fuzzer once found (`Fuzz/found/TARGET/`) passes the target's
/// checks without a trap, and the seeds still reach the code they are for.
@Suite struct FuzzInputTests {
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    /// Runs ledger-fuzz; an input that hangs fails the test after two
    /// minutes instead of holding up the whole run.
    func fuzz(_ args: [String], in dir: TempDir) throws -> Finished {
        let out = dir.path + "/fuzz.out", err = dir.path + "/fuzz.err"
        let pid = try Spawn.start(Binaries.directory + "/ledger-fuzz", args,
                                  environment: ["PATH": "/usr/bin:/bin", "SWIFT_DETERMINISTIC_HASHING": "1"],
                                  stdout: out, stderr: err)
        guard let status = Spawn.wait(pid, seconds: 120) else {
            throw HarnessError("ledger-fuzz \(args.joined(separator: " ")) ran over two minutes")
        }
        return Finished(status: status, stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                        stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    /// Per target: the fewest seeds that must reach its deepest check (an
    /// applied event, a canonical encoding, data read in place, a verified
    /// signature, a verified export, one after a prefix, a proof that holds, a
    /// restored state).
    @Test(arguments: [("request", 450), ("json", 200), ("stored-data", 1_900), ("note", 1), ("export", 1), ("resume", 6), ("proof", 13), ("snapshot", 3)])
    func seedsAndFoundInputsPass(target: String, reachedMin: Int) throws {
        let dir = TempDir()
        let seeds = try fuzz(["seeds", target, dir.path + "/seeds"], in: dir)
        #expect(seeds.status == 0, "\(seeds.stderr)")
        var inputs = [dir.path + "/seeds"]
        let found = Self.packageRoot + "/Fuzz/found/" + target
        if FileManager.default.fileExists(atPath: found) { inputs.append(found) }
        let replay = try fuzz(["replay", target] + inputs, in: dir)
        #expect(replay.status == 0, "\(replay.stdout)\(replay.stderr)")
        // "request: 502 inputs replayed, none broke a property; 500 reached an event the rules accepted and applied"
        let words = replay.stdout.split(separator: " ")
        let reached = words.firstIndex(of: "reached").flatMap { Int(words[$0 - 1]) }
        #expect((reached ?? 0) >= reachedMin, "\(replay.stdout)")
    }

    @Test func usageErrorsExitWithTwo() throws {
        let dir = TempDir()
        let unknown = try fuzz(["replay", "nope", dir.path], in: dir)
        #expect(unknown.status == 2)
        #expect(unknown.stderr.contains("unknown target 'nope'"))
        #expect(try fuzz([], in: dir).status == 2)
    }
}
