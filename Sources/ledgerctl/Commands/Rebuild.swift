import ArgumentParser
import Foundation
import LedgerJSON

struct Rebuild: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Have the daemon recompute every projection from the log and compare it with the live one (admin).",
        discussion: """
            The daemon replays the whole log into a fresh state while it goes on serving, compares the \
            SHA-256 digest of its canonical snapshot with the live state's and, if they differ, swaps \
            the fresh state in between two commits. Prints the events replayed, events/s and whether \
            the digests matched. Exit code 0 either way (a mismatch has been repaired; --json shows \
            "matches":false and "swapped":true; "swapped":false with a "note" when events were \
            appended meanwhile: run it again); 4 without the admin role.

            With --json: {"events":N,"seconds":S,"eventsPerSecond":N,"digest":"<hex>", \
            "liveDigest":"<hex>","matches":true,"swapped":false}

            Examples:
              ledgerctl rebuild
              ledgerctl rebuild --json
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var output: OutputOptions

    func run() throws {
        let result = try Session.call(connection, "rebuild")
        if output.json { return Output.json(result) }
        let seconds: String
        switch result["seconds"] {
        case .double(let s)?: seconds = String(format: "%.3f", s)
        case .int(let s)?: seconds = String(s)
        default: seconds = "?"
        }
        Output.line("Dựng lại: \(result["events"]?.intValue ?? 0) sự kiện trong \(seconds) giây "
                    + "(\(result["eventsPerSecond"]?.intValue ?? 0) sự kiện/giây)")
        Output.line("Digest:   \(result["digest"]?.stringValue ?? "?")")
        if result["matches"] == .bool(true) {
            Output.line("Kết quả:  khớp với trạng thái đang phục vụ.")
        } else {
            Output.line("Đang phục vụ: \(result["liveDigest"]?.stringValue ?? "?")")
            if result["swapped"] == .bool(true) {
                Output.line("Kết quả:  KHÔNG khớp; trạng thái dựng lại đã được thay vào.")
            } else {
                Output.line("Kết quả:  KHÔNG khớp; chưa thay vào: có sự kiện mới ghi trong lúc dựng lại. Hãy chạy lại.")
            }
        }
    }
}

struct Checkpoints: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the stored signed checkpoints, oldest first (auditor).",
        discussion: """
            One checkpoint is signed after every commit. Without --json, one line per checkpoint: its \
            tree size and root hash; --json gives {"checkpoints":[{"size":N,"checkpoint":"<signed note>"}]}.

            Examples:
              ledgerctl checkpoints --from-size 1000 --limit 10
              ledgerctl checkpoints --json
            """)

    @OptionGroup var connection: ConnectionOptions
    @Option(name: .customLong("from-size"), help: ArgumentHelp("The first tree size to list.", valueName: "n")) var fromSize: Int = 0
    @Option(help: ArgumentHelp("At most this many (1–10000).", valueName: "n")) var limit: Int = 100
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard fromSize >= 0 else { throw ValidationError("--from-size wants a number ≥ 0; got \(fromSize)") }
        guard (1...10_000).contains(limit) else { throw ValidationError("--limit wants 1…10000; got \(limit)") }
    }

    func run() throws {
        let result = try Session.call(connection, "checkpoints", ["fromSize": .int(Int64(fromSize)), "limit": .int(Int64(limit))])
        if output.json { return Output.json(result) }
        let notes = result["checkpoints"]?.arrayValue ?? []
        Output.table(["size", "origin", "root hash (base64)"], notes.map { entry in
            // A C2SP checkpoint body: origin, size, base64 root hash, then the signatures.
            let body = (entry["checkpoint"]?.stringValue ?? "").split(separator: "\n", omittingEmptySubsequences: false)
            return [Output.cell(entry["size"]), body.count > 0 ? String(body[0]) : "—", body.count > 2 ? String(body[2]) : "—"]
        })
    }
}
