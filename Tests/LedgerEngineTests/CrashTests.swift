import Foundation
import LedgerEngine
import LedgerMerkle
import LedgerStore
import Testing

/// Kill -9 cycles: a child process (ledger-bench crash-child) appends from 16
/// concurrent tasks and prints each acknowledged seq; it is killed with
/// SIGKILL at a random moment, many times over the same data directory. After
/// each kill, every acknowledged event must be there under its idempotency
/// key, the tree must match a recomputation and the latest checkpoint verify.
@Suite struct CrashTests {
    static var benchBinary: String? {
        let products = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [products, products.deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("ledger-bench").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        let fallback = FileManager.default.currentDirectoryPath + "/.build/debug/ledger-bench"
        return FileManager.default.isExecutableFile(atPath: fallback) ? fallback : nil
    }

    @Test func acknowledgedAppendsSurviveSIGKILL() throws {
        let binary = try #require(Self.benchBinary, "build ledger-bench first: swift build --build-tests")
        let dir = TempDir()
        var generator = SystemRandomNumberGenerator()
        var acknowledged: [String: UInt64] = [:]
        let cycles = 12
        for cycle in 0..<cycles {
            let child = Process()
            child.executableURL = URL(fileURLWithPath: binary)
            // Snapshots every 300 events: kills land while one is written,
            // and each restart restores from the latest and replays the tail.
            child.arguments = ["crash-child", dir.path, "--snapshot-every", "300"]
            let pipe = Pipe()
            child.standardOutput = pipe
            try child.run()
            let reader = LineCollector(pipe.fileHandleForReading)
            // Wait until it is appending, then let it run a random while.
            try reader.waitFor(prefix: "ready", timeoutSeconds: 60)
            usleep(UInt32.random(in: 20_000...400_000, using: &generator))
            kill(child.processIdentifier, SIGKILL)
            child.waitUntilExit()
            let lines = reader.finish()
            var acksThisCycle = 0
            for line in lines where line.hasPrefix("ack ") {
                let parts = line.split(separator: " ")
                guard parts.count == 3, let seq = UInt64(parts[1]) else { continue }
                acknowledged[String(parts[2])] = seq
                acksThisCycle += 1
            }
            #expect(acksThisCycle > 0 || cycle > 0, "the child acknowledged nothing in cycle \(cycle)")
            try checkSurvivors(dir, acknowledged)
        }
        #expect(acknowledged.count > 50)
        // The daemon's view after the last kill: its state (snapshot plus the
        // replayed tail) equals a replay of the whole log, and it appends on.
        var configuration = EngineConfiguration(dataDirectory: dir.path, origin: "crash.local/ledger")
        configuration.snapshotEveryEvents = 100_000
        let engine = try LedgerEngine(configuration: configuration)
        defer { engine.shutdown() }
        #expect(try engine.verify()["ok"] == true)
    }

    private func checkSurvivors(_ dir: TempDir, _ acknowledged: [String: UInt64]) throws {
        var options = StoreOptions(origin: "crash.local/ledger")
        options.indexNames = LedgerEngine.storeIndexNames
        let store = try EventStore(dataDirectory: dir.path, options: options)
        defer { store.close() }
        let verifier = try NoteVerifier(verifierKey: store.verifierKey)
        try store.read { view throws in
            for (key, seq) in acknowledged {
                let entry = try view.idempotencyEntry(key)
                #expect(entry?.seq == seq, "acknowledged \(key) as seq \(seq), found \(String(describing: entry))")
            }
            let result = try view.verifyLog(verifier: verifier)
            #expect(result.ok, "\(String(describing: result.failure))")
            let latest = try #require(try view.latestCheckpoint())
            let note = try SignedNote.parse(latest.note)
            try verifier.verify(note)
            let checkpoint = try Checkpoint.parse(body: note.text)
            #expect(checkpoint.size == result.size)
            #expect(checkpoint.rootHash == result.rootHash)
        }
    }
}

/// Collects a child's stdout lines on a background thread.
final class LineCollector: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []
    private var buffer = Data()
    private let handle: FileHandle
    private let done = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        self.handle = handle
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.lock()
                buffer.append(chunk)
                while let newline = buffer.firstIndex(of: 10) {
                    lines.append(String(decoding: buffer[buffer.startIndex..<newline], as: UTF8.self))
                    buffer.removeSubrange(buffer.startIndex...newline)
                }
                lock.unlock()
            }
            done.signal()
        }
    }

    func waitFor(prefix: String, timeoutSeconds: Int) throws {
        for _ in 0..<(timeoutSeconds * 100) {
            lock.lock()
            let found = lines.contains { $0.hasPrefix(prefix) }
            lock.unlock()
            if found { return }
            usleep(10_000)
        }
        throw CollectorError.timeout(prefix)
    }

    func finish() -> [String] {
        done.wait()
        lock.lock()
        defer { lock.unlock() }
        return lines
    }

    enum CollectorError: Error { case timeout(String) }
}
