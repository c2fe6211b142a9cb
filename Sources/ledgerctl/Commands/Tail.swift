import ArgumentParser
import LedgerJSON

struct Tail: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print events from a seq on, as export lines; with --follow, keep printing new ones.",
        discussion: """
            Examples:
              ledgerctl tail --from 1200
              ledgerctl tail --follow     (new events as they are committed; Ctrl-C stops)
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(name: .customLong("from"), help: ArgumentHelp("First seq (default: the last 10 events).", valueName: "seq")) var fromSeq: Int?
    @Flag(help: "Wait for new events and print them as they are committed.") var follow = false

    func validate() throws {
        if let fromSeq, fromSeq < 1 { throw ValidationError("--from wants a seq ≥ 1; got \(fromSeq)") }
    }

    func run() throws {
        var args: [String: JSONValue] = ["follow": .bool(follow)]
        if let fromSeq { args["fromSeq"] = .int(Int64(fromSeq)) } else { args["last"] = .int(10) }
        _ = try Session.call(connection, "tail", args, onItem: { Output.json($0) })
    }
}

struct Backup: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Take a hot, compacted copy of the ledger into a new directory, then verify the copy.",
        discussion: """
            The daemon copies its LMDB environment (mdb_env_copy2 with MDB_CP_COMPACT) and signing key \
            into DEST (which must not exist, on the daemon's machine and writable by it) while it goes \
            on serving, then opens the copy and verifies every event, the tree and every checkpoint. \
            Restore with ledgerd --restore DEST --restore-only as the daemon's user, while it is \
            stopped (docs/OPERATIONS.md, "Restore"). \
            The packaged service may write only under /var/backups/ledger. The nightly \
            ledger-backup manages the timestamp-named backups there (YYYYMMDDTHHMMSSZ) and \
            deletes old ones; give a manual backup another name and it is left alone.

            Example:
              ledgerctl backup /var/backups/ledger/manual-2026-11-29
            """)

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: ArgumentHelp("A new directory for the copy (absolute path).", valueName: "dest")) var dest: String
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard dest.hasPrefix("/") else { throw ValidationError("DEST must be an absolute path (the daemon resolves it); got '\(dest)'") }
    }

    func run() throws {
        Progress.note("backing up to \(dest), then verifying the copy…")
        let result = try Session.call(connection, "backup", ["dest": .string(dest)])
        Progress.clear()
        if output.json { Output.json(result) } else {
            Output.line("Sao lưu: \(dest) — \(result["size"]?.intValue ?? 0) sự kiện, đã kiểm tra: "
                        + (result["verified"] == .bool(true) ? "hợp lệ" : "KHÔNG HỢP LỆ"))
        }
        if result["verified"] != .bool(true) { throw ArgumentParser.ExitCode(1) }
    }
}
