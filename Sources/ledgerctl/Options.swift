import ArgumentParser
import LedgerClient
import LedgerJSON
import LedgerWire

/// Where the daemon listens.
struct ConnectionOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The daemon's socket.", valueName: "path"))
    var socket: String?

    var socketPath: String { SocketLocator.resolve(flag: socket) }

    func validate() throws {
        if let socket, socket.isEmpty { throw ValidationError("--socket wants a path; got an empty one") }
    }
}

/// --json for scripts.
struct OutputOptions: ParsableArguments {
    @Flag(name: .long, help: "Print JSON (one object) instead of text.")
    var json = false

    func validate() throws {
        Session.jsonRequested = json  // for a failure at exit (`Session.printFailureAsJSON`)
    }
}

/// Bitemporal selection: what was true on a business date, or what the ledger
/// knew after N events.
struct TimeOptions: ParsableArguments {
    @Option(name: .customLong("as-of"), help: ArgumentHelp("What was true on this business date (YYYY-MM-DD).", valueName: "date"))
    var asOf: String?

    @Option(name: .customLong("at-seq"), help: ArgumentHelp("What the ledger knew after this many events.", valueName: "n"))
    var atSeq: Int?

    func validate() throws {
        if let asOf { try Validation.requireDate(asOf, "--as-of") }
        if let atSeq, atSeq < 0 { throw ValidationError("--at-seq wants a number ≥ 0; got \(atSeq)") }
    }

    var args: [String: JSONValue] {
        var args: [String: JSONValue] = [:]
        if let asOf { args["asOf"] = .string(asOf) }
        if let atSeq { args["atSeq"] = .int(Int64(atSeq)) }
        return args
    }
}

enum Validation {
    /// Throws the usage error for `option` (e.g. "--from") if `text` is not a
    /// date: the format, a day that does not exist ("2025-02-30"), or a year
    /// the ledger does not keep (the server checks the same, `WireDate`).
    static func requireDate(_ text: String, _ option: String) throws {
        if let problem = WireDate.problem(text) { throw ValidationError("\(option) \(problem)") }
    }

    static func isID(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F
                    || c == 0x2D
            }
    }
}
