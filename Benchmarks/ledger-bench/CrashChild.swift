import Foundation
import LedgerEngine

/// The crash test's child: appends forever from 16 concurrent tasks and
/// prints "ack <seq> <idempotencyKey>" after each event is durable. The test
/// kills it with SIGKILL at a random moment and checks every ack survived.
/// State snapshots are written every `snapshotEvery` events, so that kills
/// also land while one is written and restarts restore from them.
struct CrashChild {
    let directory: String
    var snapshotEvery: UInt64 = 100_000

    func run() async throws {
        var configuration = EngineConfiguration(dataDirectory: directory, origin: "crash.local/ledger")
        configuration.snapshotEveryEvents = snapshotEvery
        let engine = try LedgerEngine(configuration: configuration)
        let actor = Actor(uid: 0, user: "crash")
        let start = try engine.read { try $0.size() }
        if start == 0 {
            for outcome in await engine.append(SampleEvents.setup, actor: actor, atomic: true) where outcome.seq == nil {
                throw BenchError("setup refused: \(outcome.json)")
            }
        }
        print("ready \(start)")
        fflush(nil)
        let run = UUID().uuidString.prefix(8)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<16 {
                group.addTask {
                    var i = 0
                    while true {
                        let key = "\(run)-\(task)-\(i)"
                        let outcomes = await engine.append([SampleEvents.task(i, key: key)], actor: actor, atomic: true)
                        if let seq = outcomes.first?.seq {
                            let line = "ack \(seq) \(key)\n"
                            FileHandle.standardOutput.write(Data(line.utf8))
                        }
                        i += 1
                    }
                }
            }
        }
    }
}
