import ArgumentParser
import Foundation
import LedgerWire

/// `ledgerctl`: the ledger's command-line client. It talks to `ledgerd` over
/// its Unix socket (found from --socket, then $LEDGER_SOCKET, then
/// /run/ledger/ledger.sock), except `verify-export`, `check-proof` and
/// `demo-data`, which work offline.
@main
struct LedgerCtl: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledgerctl",
        abstract: "Record to and question the tamper-evident ledger of a Party committee.",
        discussion: """
            The socket is found from --socket, then $LEDGER_SOCKET, then /run/ledger/ledger.sock. \
            Every query takes --json for scripts.

            Exit codes: 0 ok; 1 refused or failed (an event refused, verification failed); \
            2 usage error; 3 daemon unreachable; 4 permission denied. With --json, a failure is \
            also printed on stdout as {"error":{"code":...,"message":...}}.

            Examples:
              ledgerctl append events.jsonl
              ledgerctl status
              ledgerctl report --org DB01 --from 2025-01-01 --to 2025-12-31
              ledgerctl checkpoint > cp.txt && ledgerctl pubkey > key.txt
              ledgerctl export --through "$(sed -n 2p cp.txt)" --to ledger.jsonl
              ledgerctl verify-export ledger.jsonl --checkpoint cp.txt --key key.txt
            """,
        version: LedgerVersion.string,
        subcommands: [
            Append.self, Status.self, Export.self, CheckpointCommand.self, Checkpoints.self, Pubkey.self, Verify.self,
            VerifyExport.self, Report.self, OrgCommand.self, Orgs.self, Members.self, MemberCommand.self,
            History.self, Meetings.self, Warnings.self, Prove.self, CheckProof.self, Tail.self, Backup.self,
            AuditBundle.self, Witness.self, Replay.self, Rebuild.self, DemoData.self,
        ]
    )

    /// Runs the command; usage errors exit 2 (ArgumentParser's default is 64),
    /// as the documented exit codes promise.
    static func main() {
        do {
            var command = try parseAsRoot()
            try command.run()
        } catch {
            let code = exitCode(for: error)
            if code == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(2)
            }
            if code != .success { Session.printFailureAsJSON() }
            exit(withError: error)
        }
    }
}
