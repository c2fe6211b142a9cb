import ArgumentParser
import LedgerClient
import LedgerJSON

struct Prove: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Get an RFC 9162 inclusion or consistency proof, with the checkpoint it is against.",
        discussion: """
            The output is JSON (hex hashes); check it offline with `ledgerctl check-proof`.

            Examples (event 42 is in the latest checkpoint's tree; the tree of 2000 events \
            extends the tree of 1000):
              ledgerctl prove inclusion 42 > proof.json
              ledgerctl prove consistency 1000 2000 > proof.json
              ledgerctl check-proof proof.json --key key.txt
            """,
        subcommands: [Inclusion.self, Consistency.self])

    struct Inclusion: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove that event SEQ is in the tree.",
            discussion: "Example: ledgerctl prove inclusion 42 --size 1000 > proof.json")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: ArgumentHelp("The event's seq.", valueName: "seq")) var seq: Int
        @Option(help: ArgumentHelp("Tree size (default: the latest checkpoint's).", valueName: "n")) var size: Int?
        func validate() throws {
            guard seq >= 1 else { throw ValidationError("SEQ starts at 1; got \(seq)") }
            if let size, size < seq { throw ValidationError("--size \(size) is smaller than SEQ \(seq)") }
        }
        func run() throws {
            var args: [String: JSONValue] = ["seq": .int(Int64(seq))]
            if let size { args["size"] = .int(Int64(size)) }
            Output.json(try Session.call(connection, "prove-inclusion", args))
        }
    }

    struct Consistency: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Prove that the tree of size N extends the tree of size M.",
            discussion: "Example: ledgerctl prove consistency 1000 2000 > proof.json")
        @OptionGroup var connection: ConnectionOptions
        @Argument(help: ArgumentHelp("The older size.", valueName: "m")) var from: Int
        @Argument(help: ArgumentHelp("The newer size (default: the latest checkpoint's).", valueName: "n")) var to: Int?
        func validate() throws {
            guard from >= 0 else { throw ValidationError("M must be ≥ 0") }
            if let to, to < from { throw ValidationError("N (\(to)) is smaller than M (\(from))") }
        }
        func run() throws {
            var args: [String: JSONValue] = ["from": .int(Int64(from))]
            if let to { args["to"] = .int(Int64(to)) }
            Output.json(try Session.call(connection, "prove-consistency", args))
        }
    }
}

struct CheckProof: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check-proof",
        abstract: "Verify a proof from `ledgerctl prove` offline, and its checkpoints with --key.",
        discussion: """
            Recomputes the root from the proof (RFC 9162 §2.1.3.2 / §2.1.4.2) and compares it with the \
            root in the proof; with --key, also verifies the signed checkpoints the proof carries and \
            that their roots are the proof's. Exit 0 if it holds, 1 otherwise.

            Example:
              ledgerctl check-proof proof.json --key key.txt
            """)

    @Argument(help: ArgumentHelp("The proof (JSON); - for stdin.", valueName: "file")) var file: String
    @Option(help: ArgumentHelp("A file holding the verifier key.", valueName: "file")) var key: String?
    @OptionGroup var output: OutputOptions

    func run() throws {
        let data = try BoundedFile.readOrExit(file, limit: ProofChecker.inputBytesMax, what: "")
        let verdict: (ok: Bool, message: String)
        do {
            let proof = try JSONParser.parse(data)
            let vkey = try key.map { String(decoding: try BoundedFile.read($0, limit: BoundedFile.keyBytesMax), as: UTF8.self) }
            verdict = (true, try ProofChecker.check(proof, verifierKey: vkey))
        } catch {
            verdict = (false, "\(error)")
        }
        if output.json {
            Output.json(.object(["ok": .bool(verdict.ok), "message": .string(verdict.message)]))
        } else {
            Output.line((verdict.ok ? "Hợp lệ: " : "KHÔNG HỢP LỆ: ") + verdict.message)
        }
        if !verdict.ok { throw ArgumentParser.ExitCode(1) }
    }
}
