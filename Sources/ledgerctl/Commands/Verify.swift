import ArgumentParser
import Foundation
import LedgerClient
import LedgerJSON

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Have the daemon re-check every stored event, the Merkle tree, every checkpoint and the projections.",
        discussion: """
            Recomputes each leaf hash from the stored bytes, every tree node, the root at each \
            checkpoint's size and each checkpoint's signature, and replays the log to compare the \
            projections with the live ones. Names the first bad seq or checkpoint. Exit code 0 \
            when everything verifies, 1 otherwise.

            Examples:
              ledgerctl verify
              ledgerctl verify --json
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let result = try Session.call(connection, "verify")
        if let note = try Session.call(connection, "checkpoint")["checkpoint"]?.stringValue {
            try Anchor.enforce(note: note, connection: connection, quiet: output.json)
        }
        if output.json {
            Output.json(result)
        } else if result["ok"] == .bool(true) {
            Output.line("Toàn vẹn: \(result["eventsChecked"]?.intValue ?? 0) sự kiện, "
                        + "\(result["checkpointsChecked"]?.intValue ?? 0) checkpoint đều hợp lệ.")
            Output.line("Gốc Merkle: \(result["rootHash"]?.stringValue ?? "")")
        } else {
            Output.line("KHÔNG TOÀN VẸN: \(result["failure"]?.stringValue ?? "unknown failure")")
            if let seq = result["badSeq"]?.intValue { Output.line("Sự kiện hỏng đầu tiên: seq \(seq)") }
        }
        if result["ok"] != .bool(true) { throw ArgumentParser.ExitCode(1) }
    }
}
