import ArgumentParser
import LedgerClient
import LedgerJSON

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
    static func isDate(_ text: String) -> Bool { dateProblem(text) == nil }

    /// What is wrong with `text` as a date, or nil if it is one: the format,
    /// or the day that does not exist ("2025-02-30").
    static func dateProblem(_ text: String) -> String? {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2])
        else { return "wants a date as YYYY-MM-DD; got '\(text)'" }
        guard (1...12).contains(m) else { return "got '\(text)', which is not a date (there is no month \(m))" }
        let days = [31, (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
        guard d >= 1 else { return "got '\(text)', which is not a date (there is no day \(d))" }
        guard d <= days[m - 1] else { return "got '\(text)', which is not a date (\(String(format: "%02d", m))/\(y) has \(days[m - 1]) days)" }
        return nil
    }

    /// Throws the usage error for `option` (e.g. "--from") if `text` is not a date.
    static func requireDate(_ text: String, _ option: String) throws {
        if let problem = dateProblem(text) { throw ValidationError("\(option) \(problem)") }
    }

    static func isID(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x2E || c == 0x5F
                    || c == 0x2D
            }
    }
}
