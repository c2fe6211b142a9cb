import ArgumentParser
import LedgerJSON

struct Status: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show the ledger's size, Merkle root, latest checkpoint and the daemon's health.",
        discussion: """
            With --json: {"size":N,"rootHash":"<hex>","checkpointSize":N,"checkpoint":"<signed note>", \
            "mapUsedBytes":N,"mapSizeBytes":N,"connections":N,"uptimeSeconds":N,"snapshotSeq":N, \
            "recentCommits":{"commits":N,"events":N,"p50Micros":N,"p99Micros":N,"maxMicros":N},...} \
            snapshotSeq is the event the state snapshot on disk reaches: a restart of \
            ledgerd reads it and replays the events after it. recentCommits covers the last \
            1024 durable commits that stored events (LMDB's write transaction with its \
            fdatasync; absent before the first): appends wait for them, so a slow disk shows \
            there first. Commits that fail show as commitFailing.

            Examples:
              ledgerctl status
              ledgerctl status --json
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let status = try Session.call(connection, "status")
        if let note = status["checkpoint"]?.stringValue, !note.isEmpty {
            try Anchor.enforce(note: note, connection: connection, quiet: true)
        }
        if output.json { return Output.json(status) }
        func n(_ key: String) -> Int64 { status[key]?.intValue ?? 0 }
        Output.line("Sổ ghi:          \(status["origin"]?.stringValue ?? "?")")
        let count = { (key: String) in VietnameseNumbers.count(n(key)) }
        Output.line("Số sự kiện:      \(count("size"))")
        Output.line("Gốc Merkle:      \(status["rootHash"]?.stringValue ?? "?")")
        Output.line("Checkpoint ký:   cỡ \(count("checkpointSize"))")
        let used = VietnameseNumbers.decimal(Double(n("mapUsedBytes")) / 1_048_576)
        let map = VietnameseNumbers.decimal(Double(n("mapSizeBytes")) / 1_048_576, places: 0)
        Output.line("Dữ liệu:         \(used) MiB / \(map) MiB bản đồ")
        let tail = VietnameseNumbers.count(max(0, n("size") - n("snapshotSeq")))
        Output.line("Ảnh trạng thái:  đến sự kiện \(count("snapshotSeq")) (khởi động lại đọc lại \(tail) sự kiện sau đó)")
        if let recent = status["recentCommits"], let commits = recent["commits"]?.intValue, commits > 0 {
            // The latest durable commits (write + fdatasync): a slow disk shows here first.
            func ms(_ key: String) -> String {
                VietnameseNumbers.decimal(Double(recent[key]?.intValue ?? 0) / 1_000, places: 2) + " ms"
            }
            let perCommit = VietnameseNumbers.decimal(Double(recent["events"]?.intValue ?? 0) / Double(commits))
            Output.line("Ghi đĩa:         trung vị \(ms("p50Micros")), p99 \(ms("p99Micros")), lâu nhất \(ms("maxMicros")) "
                + "(\(VietnameseNumbers.count(commits)) lần ghi gần nhất, \(perCommit) sự kiện mỗi lần ghi)")
        }
        Output.line("Kết nối:         \(count("connections"))")
        Output.line("Hoạt động:       \(VietnameseNumbers.duration(seconds: n("uptimeSeconds")))")
        if let version = status["version"]?.stringValue { Output.line("Phiên bản:       ledgerd \(version)") }
        if let halted = status["halted"]?.stringValue { Output.line("GHI BỊ DỪNG:     \(halted)") }
        if let failing = status["commitFailing"] {
            // Appends are refused with nothing written (a full disk, say) until a commit succeeds.
            Output.line("GHI ĐANG LỖI:    từ \(failing["since"]?.stringValue ?? "?"): \(failing["error"]?.stringValue ?? "?")")
        }
    }
}

struct CheckpointCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "checkpoint",
        abstract: "Print the latest signed checkpoint (a C2SP tlog-checkpoint in a signed note).",
        discussion: """
            Example (save it for offline verification):
              ledgerctl checkpoint > checkpoint.txt

            ledgerctl remembers the last checkpoint it verified for each ledger (under \
            $LEDGER_STATE_DIR, default ~/.local/state/ledger) and checks, with an RFC 9162 \
            consistency proof, that every later one extends it. A ledger that was rolled back or \
            forked is reported loudly, with both checkpoints, and the exit code is 1. status and \
            verify do the same.
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let result = try Session.call(connection, "checkpoint")
        if let note = result["checkpoint"]?.stringValue {
            try Anchor.enforce(note: note, connection: connection, quiet: output.json)
        }
        if output.json { return Output.json(result) }
        Output.lineRaw(result["checkpoint"]?.stringValue ?? "")
    }
}

struct Pubkey: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the checkpoint verifier key (C2SP vkey: name+keyhash+base64(0x01‖Ed25519 key)).",
        discussion: """
            Example (save it for offline verification):
              ledgerctl pubkey > key.txt
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let result = try Session.call(connection, "pubkey")
        if output.json { return Output.json(result) }
        Output.line(result["verifierKey"]?.stringValue ?? "")
    }
}
