import ArgumentParser
import Foundation
import LedgerJSON
import LedgerMerkle

struct Witness: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Co-sign the ledger's current checkpoint with your own key, as a witness.",
        discussion: """
            Several committee members can each hold the log to its history: each verifies the \
            current checkpoint (its signature, and that it extends the last one they verified) and \
            adds their own Ed25519 signature line to the signed note (C2SP signed-note: verifiers \
            ignore signatures from keys they do not know). Keep the cosigned notes: a later rollback \
            or fork would contradict a checkpoint you signed.

            A witness signs only what it checked: the first time, the checkpoint becomes your anchor; \
            after that, each checkpoint must be proven to extend the one you last verified (an RFC 9162 \
            consistency proof, which needs the auditor role). Without that proof nothing is signed \
            and the exit code is 1; a rollback, a fork, or another origin or key at the same socket \
            is reported with both checkpoints and exit code 1.

            Examples: create your key once (mode 0600; prints your verifier key to give to others):
              ledgerctl witness --key ~/.ledger-witness.key --new-key --name nguyen-van-an
            Then, e.g. monthly:
              ledgerctl witness --key ~/.ledger-witness.key > cosigned-2026-11.txt
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(help: ArgumentHelp("Your note private key file.", valueName: "file")) var key: String
    @Flag(name: .customLong("new-key"), help: "Create the key file (refuses to overwrite one).") var newKey = false
    @Option(help: ArgumentHelp("Your key name with --new-key (no spaces or '+').", valueName: "name")) var name: String?

    func validate() throws {
        if newKey, name == nil { throw ValidationError("--new-key needs --name, e.g. --name nguyen-van-an") }
    }

    func run() throws {
        if newKey {
            guard !FileManager.default.fileExists(atPath: key) else {
                throw ValidationError("\(key) exists; refusing to overwrite a key")
            }
            let signer = try NoteSigner.generate(name: name!)
            guard FileManager.default.createFile(atPath: key, contents: Data((signer.privateKeyString + "\n").utf8),
                                                 attributes: [.posixPermissions: 0o600]) else {
                Output.error("cannot create \(key)")
                throw ArgumentParser.ExitCode(1)
            }
            Output.line(signer.verifierKey)
            return
        }
        let text = String(decoding: try BoundedFile.readOrExit(key, limit: BoundedFile.keyBytesMax, what: ""), as: UTF8.self)
        let signer = try NoteSigner(privateKeyString: text.trimmingCharacters(in: .whitespacesAndNewlines))
        let result = try Session.call(connection, "checkpoint")
        guard let note = result["checkpoint"]?.stringValue else {
            Output.error("the daemon sent no checkpoint")
            throw ArgumentParser.ExitCode(1)
        }
        // A witness signs only what it checked: the checkpoint it remembered
        // before (or none, the first time) must be extended by this one.
        switch try Anchor.enforce(note: note, connection: connection, quiet: true, mustRemember: true) {
        case .first:
            Output.error("first use: this checkpoint is now your anchor; later ones must extend it")
        case .same, .extended:
            break
        case .notRemembered:
            // (mustRemember throws first; kept so that a witness never signs what it cannot hold to later.)
            Output.error("not cosigned: the checkpoint could not be remembered; set LEDGER_STATE_DIR to a directory you can write")
            throw ArgumentParser.ExitCode(1)
        case .notChecked:
            Output.error("""
                not cosigned: a witness signs only a checkpoint proven to extend the one it signed before. \
                Ask for the auditor role (the consistency proof needs it), or check the daemon.
                """)
            throw ArgumentParser.ExitCode(1)
        }
        let cosigned = try signer.cosign(try SignedNote.parse(note))
        Output.lineRaw(cosigned.formatted)
    }
}
