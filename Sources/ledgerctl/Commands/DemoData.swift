import ArgumentParser
import Foundation
import LedgerDemo
import LedgerJSON

struct DemoData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo-data",
        abstract: "Print a realistic synthetic ledger as JSON Lines (offline; deterministic from the seed).",
        discussion: """
            A bloc (DBK) with committees and cells of 5–25 members, with monthly and thematic meetings, \
            admissions, confirmations, transfers, retirements, inspections, supervisions, discipline, \
            ratings and a few retractions, in Vietnamese. The same seed always gives the same events, \
            in an order the ledger accepts on a fresh data directory. Streams: memory stays small \
            even for 10 000 000 events.

            Example:
              ledgerctl demo-data --seed 7 --events 50000 | ledgerctl append > results.jsonl
            """)

    @Option(help: "The random seed.") var seed: UInt64 = 2026
    @Option(help: ArgumentHelp("About how many events (1–10000000).", valueName: "n")) var events: Int = 20_000

    func validate() throws {
        guard (1...10_000_000).contains(events) else { throw ValidationError("--events wants 1…10000000; got \(events)") }
    }

    func run() throws {
        var configuration = DemoConfiguration.sized(events: events, seed: seed)
        configuration.recordsModel = false
        let problems = configuration.problems
        guard problems.isEmpty else { throw ValidationError(problems.joined(separator: "; ")) }
        var buffer: [UInt8] = []
        buffer.reserveCapacity(1 << 17)
        for event in DemoGenerator(configuration) {
            CanonicalJSON.encode(event, into: &buffer)
            buffer.append(10)
            if buffer.count >= 1 << 16 {
                FileHandle.standardOutput.write(Data(buffer))
                buffer.removeAll(keepingCapacity: true)
            }
        }
        FileHandle.standardOutput.write(Data(buffer))
    }
}
