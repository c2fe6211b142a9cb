import Foundation
import LedgerEngine

/// The crash test's child: appends forever from 16 concurrent tasks and
/// prints "ack <seq> <idempotencyKey>" after each event is durable. The test
/// kills it with SIGKILL at a random moment and checks every ack survived.
struct CrashChild {
    let directory: String

    func run() async throws {
        let engine = try LedgerEngine(configuration: EngineConfiguration(dataDirectory: directory, origin: "crash.local/ledger"))
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
