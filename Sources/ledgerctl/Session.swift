import ArgumentParser
import Foundation
import LedgerClient
import LedgerJSON

/// Runs one request against the daemon and turns failures into the
/// documented exit codes and a message on stderr.
enum Session {
    static func connect(_ options: ConnectionOptions) throws -> LedgerConnection {
        do {
            return try LedgerConnection(socketPath: options.socketPath)
        } catch {
            throw fail(error)
        }
    }

    /// One call; items and progress are passed on as they arrive.
    static func call(_ options: ConnectionOptions, _ verb: String, _ args: [String: JSONValue] = [:],
                     onItem: (JSONValue) throws(ClientError) -> Void = { _ in },
                     onProgress: (Int64, Int64?) -> Void = { Progress.show($0, $1 ?? 0) }) throws -> JSONValue {
        try onConnection(options) { connection throws(ClientError) in
            try connection.call(verb: verb, args: args, onItem: onItem, onProgress: onProgress)
        }
    }

    /// As `call`, for a request whose failure the caller recovers from: the
    /// failure is returned, not printed nor kept as the command's.
    static func attempt(_ options: ConnectionOptions, _ verb: String, _ args: [String: JSONValue] = [:])
        -> Result<JSONValue, ClientError>
    {
        do {
            let connection = try sharedConnection(options)
            do {
                return .success(try connection.call(verb: verb, args: args, onItem: { _ in }, onProgress: { _, _ in }))
            } catch {
                if connection.isBroken { shared = nil }
                return .failure(error)
            }
        } catch let error as ClientError {
            return .failure(error)
        } catch {
            return .failure(.protocolError("\(error)"))
        }
    }

    /// As `call`, for `export`: items arrive as canonical JSON bytes.
    static func callCanonical(_ options: ConnectionOptions, _ verb: String, _ args: [String: JSONValue] = [:],
                              onCanonicalItem: (ArraySlice<UInt8>) throws(ClientError) -> Void) throws -> JSONValue {
        try onConnection(options) { connection throws(ClientError) in
            try connection.callCanonical(verb: verb, args: args, onCanonicalItem: onCanonicalItem)
        }
    }

    /// The connection every call of this process uses: a command makes
    /// several (`status`: the answer, then the anchor's checks) and should
    /// hold one of its user's connections, not one a call (the daemon counts
    /// connections per user, and notices a closed one a moment later).
    /// ledgerctl runs one command on one thread.
    nonisolated(unsafe) private static var shared: (path: String, connection: LedgerConnection)?

    /// This process's connection to `options`' socket, opened on first use.
    private static func sharedConnection(_ options: ConnectionOptions) throws -> LedgerConnection {
        let path = options.socketPath
        if let shared, shared.path == path { return shared.connection }
        let connection = try connect(options)
        shared = (path, connection)
        return connection
    }

    /// Runs `body` on this process's connection; clears the progress line
    /// either way and turns a failure into its message and exit code (and
    /// drops the connection if it is out of step after it).
    private static func onConnection(_ options: ConnectionOptions,
                                     _ body: (LedgerConnection) throws(ClientError) -> JSONValue) throws -> JSONValue {
        let connection = try sharedConnection(options)
        do {
            let result = try body(connection)
            Progress.clear()
            return result
        } catch {
            Progress.clear()
            // A refusal leaves the connection usable; anything else may not.
            if connection.isBroken { shared = nil }
            throw fail(error)
        }
    }

    /// A failure as a script reads it.
    struct Failure {
        var code: String
        var message: String
        var details: JSONValue? = nil
    }

    /// The last failure (of a call, or an anchor's alarm), until a caller
    /// that recovers from it forgets it: what a command that fails with
    /// --json prints on stdout.
    nonisolated(unsafe) static var lastFailure: Failure?

    /// Whether the command was given --json (set as `OutputOptions` is parsed).
    nonisolated(unsafe) static var jsonRequested = false

    /// With --json, the failure that ends the command as one JSON object
    /// on stdout ({"error":{"code","message","details"}}), so that a script
    /// reads JSON either way; the message is on stderr already.
    static func printFailureAsJSON() {
        guard jsonRequested, let failure = lastFailure else { return }
        var object: [String: JSONValue] = ["code": .string(failure.code), "message": .string(failure.message)]
        if let details = failure.details { object["details"] = details }
        Output.json(.object(["error": .object(object)]))
    }

    /// Prints why on stderr and gives the exit code for it.
    static func fail(_ error: any Error) -> ArgumentParser.ExitCode {
        if let error = error as? ClientError {
            Output.error(error.description)
            var details: JSONValue?
            if case .server(let wire) = error { details = wire.details }
            lastFailure = Failure(code: error.code, message: error.description, details: details)
            return ArgumentParser.ExitCode(error.exitCode.rawValue)
        }
        Output.error("\(error)")
        return ArgumentParser.ExitCode(1)
    }
}

/// Writing to the terminal and to pipes.
enum Output {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func json(_ value: JSONValue) {
        var bytes = CanonicalJSON.encode(value)
        bytes.append(10)
        FileHandle.standardOutput.write(Data(bytes))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data("ledgerctl: \(text)\n".utf8))
    }

    /// A plain aligned table (by display width of characters, not bytes).
    static func table(_ headers: [String], _ rows: [[String]]) {
        var widths = headers.map(\.count)
        for row in rows {
            for (i, cell) in row.enumerated() where i < widths.count { widths[i] = max(widths[i], cell.count) }
        }
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { i, cell in
                i == cells.count - 1 ? cell : cell + String(repeating: " ", count: widths[i] - cell.count)
            }.joined(separator: "  ")
        }
        line(render(headers))
        line(render(widths.map { String(repeating: "─", count: $0) }))
        for row in rows { line(render(row)) }
    }

    /// Text for a JSON value in a table cell: in words (`Vocabulary`), at
    /// most `cellCharactersMax` characters (the whole text is in --json).
    static func cell(_ value: JSONValue?, key: String = "") -> String {
        let text = value.map { Vocabulary.text($0, key: key) } ?? "—"
        guard text.count > cellCharactersMax else { return text }
        return String(text.prefix(cellCharactersMax - 1)) + "…"
    }

    static let cellCharactersMax = 72

    /// A readable rendering of any result: "label: value" lines in
    /// Vietnamese, arrays of objects as tables.
    static func human(_ value: JSONValue, indent: String = "") {
        switch value {
        case .object(let object):
            for key in Vocabulary.ordered(object.keys) {
                let v = object[key]!
                let label = Vocabulary.label(key)
                switch v {
                case .object(let inner) where inner["kind"] != nil:
                    line("\(indent)\(label): \(Vocabulary.change(inner))")
                case .object:
                    line("\(indent)\(label):")
                    human(v, indent: indent + "  ")
                case .array(let items) where items.contains(where: { $0.objectValue != nil }):
                    line("\(indent)\(label): \(items.count)")
                    humanTable(items, indent: indent + "  ")
                default:
                    line("\(indent)\(label): \(Vocabulary.text(v, key: key))")
                }
            }
        case .array(let items):
            humanTable(items, indent: indent)
        default:
            line(indent + cell(value))
        }
    }

    static func humanTable(_ items: [JSONValue], indent: String) {
        guard !items.isEmpty else { return }
        var seen = Set<String>()
        for item in items { seen.formUnion(item.objectValue?.keys ?? [:].keys) }
        let keys = Vocabulary.ordered(seen)
        if keys.isEmpty {
            for item in items { line(indent + cell(item)) }
            return
        }
        table(keys.map { indent + Vocabulary.label($0) },
              items.map { item in keys.enumerated().map { i, k in (i == 0 ? indent : "") + cell(item[k], key: k) } })
    }
}

/// A progress line on stderr, only when stderr is a terminal.
enum Progress {
    static let enabled = isatty(2) == 1

    /// "label: done / total (n%)", or "label: done" without a total, over
    /// the line before (cleared to its end).
    static func show(_ done: Int64, _ total: Int64, _ label: String = "") {
        guard enabled else { return }
        let prefix = label.isEmpty ? "" : label + ": "
        // (A total passed, e.g. lines beyond a checkpoint, is no total.)
        let text = total > 0 && done <= total
            ? String(format: "%lld / %lld (%.0f%%)", done, total, 100 * Double(done) / Double(max(total, 1)))
            : "\(done)"
        FileHandle.standardError.write(Data(("\r" + prefix + text + "\u{1B}[K").utf8))
    }

    /// What a long request without progress reports is doing (a terminal
    /// only; cleared by `clear()` or the next line).
    static func note(_ text: String) {
        guard enabled else { return }
        FileHandle.standardError.write(Data(("\r" + text + "\u{1B}[K").utf8))
    }

    static func clear() {
        guard enabled else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }
}

extension Output {
    /// Writes `text` exactly (no newline added).
    static func lineRaw(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
