import ArgumentParser
import Foundation
import LedgerClient
import LedgerJSON

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the full state at a point in time as JSON files, for auditors.",
        discussion: """
            --as-of DATE: what was true on that business date, as the ledger knows it now. \
            --at-seq N: what the ledger knew after N events (replayed from the log). \
            Writes organizations.json, members.json (with timelines), inspections.json, \
            disciplines.json and state.json (seq and a SHA-256 digest of the replayed state) into \
            the new directory OUT.

            Example:
              ledgerctl replay --as-of 2025-06-30 --out /tmp/state-2025-06-30
            """)

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var time: TimeOptions
    @Option(help: ArgumentHelp("A new directory for the files.", valueName: "dir")) var out: String

    func validate() throws {
        guard time.asOf != nil || time.atSeq != nil else { throw ValidationError("give --as-of DATE or --at-seq N (or both)") }
        guard !FileManager.default.fileExists(atPath: out) else { throw ValidationError("\(out) exists; give a new directory") }
    }

    func run() throws {
        var files: [String: [JSONValue]] = [:]
        Progress.note("the daemon replays the log…")
        var received: Int64 = 0
        let result = try Session.call(connection, "replay", time.args, onItem: { item in
            guard let file = item["file"]?.stringValue, let value = item["value"] else { return }
            files[file, default: []].append(value)
            received += 1
            if received % 4096 == 0 { Progress.show(received, 0, "entities received") }
        })
        Progress.clear()
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        for name in ["organizations", "members", "inspections", "disciplines", "state"] {
            let values = files[name] ?? []
            let value: JSONValue = name == "state" ? (values.first ?? .null) : .array(values)
            try Data(value.prettyPrinted().utf8).write(to: URL(fileURLWithPath: "\(out)/\(name).json"))
        }
        Output.error("wrote \(result["count"]?.intValue ?? 0) entities to \(out)")
    }
}
