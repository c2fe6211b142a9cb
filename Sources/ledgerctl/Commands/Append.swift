import ArgumentParser
import Foundation
import LedgerClient
import LedgerJSON

struct Append: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Append the events of a JSON Lines file (stdin without FILE), in order.",
        discussion: """
            Each line is one event as CONTRACT.md describes it:
              {"type":"MeetingHeld","occurredOn":"2024-03-14","data":{...},"idempotencyKey":"...","expectedVersion":7}
            Prints one JSON result a line, in input order: {"seq":N} for a stored event (also \
            when its idempotency key was already stored for the same event: N is the first \
            one's seq), or {"error":{"code":"...","message":"..."}} when it was refused. The \
            advisory warnings of the domain rules (e.g. a meeting shorter than 90 minutes) and \
            notes about such duplicates go to stderr, naming the input line (the first 20 \
            unless --all-warnings; then a count; `ledgerctl warnings --org CODE` lists \
            every warning the ledger holds). Events are \
            sent in batches; each acknowledged event is durable. A refused event does not stop \
            the others unless --atomic is given, in which case the whole input is one \
            all-or-nothing request (at most 10 000 events). Exits 1 if any event was refused. \
            Blank lines are skipped and get no result line.

            Examples:
              ledgerctl append meetings-2024-03.jsonl
              ledgerctl demo-data --seed 7 | ledgerctl append > results.jsonl
            """)

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: ArgumentHelp("A JSON Lines file; stdin if omitted.", valueName: "file"))
    var file: String?

    @Flag(help: "All events or none: one refused event refuses the whole input.")
    var atomic = false

    @Flag(help: "Print every warning and duplicate note on stderr, not only the first 20.")
    var allWarnings = false

    static let notesShownMax = 20
    /// Batches sent ahead of their answers (the daemon commits them in order).
    static let batchesInFlightMax = 4

    @Option(help: ArgumentHelp("Events per request (1–10000).", valueName: "n"))
    var batch: Int = 500

    func validate() throws {
        guard (1...10_000).contains(batch) else { throw ValidationError("--batch wants 1…10000; got \(batch)") }
    }

    /// Bytes of one request's events at most (the daemon's default line limit is 1 MiB).
    static let requestBytesMax = 900 << 10

    func run() throws {
        let fd: Int32
        if let file {
            fd = open(file, O_RDONLY | O_CLOEXEC)
            guard fd >= 0 else {
                Output.error("cannot open \(file): \(String(cString: strerror(errno)))")
                throw ArgumentParser.ExitCode(1)
            }
        } else {
            fd = 0
            if isatty(0) == 1 {
                Output.error("reading events from the terminal, one JSON object a line; end with Ctrl-D")
            }
        }
        defer { if fd != 0 { close(fd) } }
        let connection = try Session.connect(self.connection)
        var reader = LineReader(fd: fd, lineBytesMax: 1 << 20)
        var pending: [(line: Int, event: JSONValue)] = []
        var pendingBytes = 0
        var refused = 0
        var stored = 0
        var lineNumber = 0
        var outputs: [JSONValue] = []
        var notes: [String] = []
        var notesSeen = 0
        let started = Date()

        // Batches sent and not yet answered, oldest first. The daemon queues a
        // connection's appends in request order, so a batch may depend on one
        // still in flight; keeping a few in flight lets this side parse while
        // the daemon commits.
        var inFlight: [[(line: Int, event: JSONValue)]] = []

        func send() throws {
            guard !pending.isEmpty else { return }
            do {
                try connection.send(verb: "append", args: ["events": .array(pending.map(\.event)), "atomic": .bool(atomic)])
            } catch {
                Progress.clear()
                throw Session.fail(error)
            }
            inFlight.append(pending)
            pending.removeAll(keepingCapacity: true)
            pendingBytes = 0
            while inFlight.count >= Self.batchesInFlightMax { try receiveOne() }
        }

        func drain() throws {
            while !inFlight.isEmpty { try receiveOne() }
        }

        func receiveOne() throws {
            let batch = inFlight.removeFirst()
            let result: JSONValue
            do {
                switch try connection.receive().result {
                case .success(let value): result = value
                case .failure(let error): throw ClientError.server(error)
                }
            } catch {
                Progress.clear()
                if !inFlight.isEmpty {
                    let unknown = inFlight.reduce(0) { $0 + $1.count }
                    Output.error("\(unknown) more events (lines \(inFlight.first!.first!.line)–\(inFlight.last!.last!.line)) "
                                 + "were sent and may or may not be stored; events with an idempotencyKey can be sent again safely")
                }
                throw Session.fail(error)
            }
            let results = result["results"]?.arrayValue ?? []
            for (i, entry) in batch.enumerated() {
                let outcome = i < results.count ? results[i] : .object(["error": .object(["code": "internal", "message": "no result"])])
                guard outcome["error"] == nil, let seq = outcome["seq"]?.intValue else {
                    refused += 1
                    outputs.append(outcome["error"] != nil ? outcome : .object(["error": .object([
                        "code": "internal", "message": .string("the daemon's answer had no seq: \(outcome)")])]))
                    continue
                }
                stored += 1
                // stdout keeps CONTRACT.md's shape exactly; the rest is for people.
                outputs.append(.object(["seq": .int(seq)]))
                if outcome["duplicate"] == true {
                    notes.append("line \(entry.line): already stored as seq \(seq) (same idempotencyKey, same event); nothing appended")
                }
                for warning in outcome["warnings"]?.arrayValue ?? [] {
                    let code = warning["code"]?.stringValue ?? "warning"
                    let meaning = Vocabulary.warnings[code].map { " (\($0))" } ?? ""
                    notes.append("line \(entry.line) (seq \(seq)): warning \(code)\(meaning): \(warning["message"]?.stringValue ?? "")")
                }
            }
            for output in outputs { Output.json(output) }
            outputs.removeAll(keepingCapacity: true)
            for note in notes {
                notesSeen += 1
                guard allWarnings || notesSeen <= Self.notesShownMax else { continue }
                Progress.clear()
                Output.error(note)
            }
            notes.removeAll(keepingCapacity: true)
            if Progress.enabled {
                let rate = Double(stored + refused) / max(Date().timeIntervalSince(started), 0.001)
                FileHandle.standardError.write(Data(String(format: "\r%d appended, %d refused (%.0f/s)\u{1B}[K", stored, refused, rate).utf8))
            }
        }

        while true {
            let line: [UInt8]?
            do {
                line = try reader.next()
            } catch {
                Progress.clear()
                Output.error("line \(lineNumber + 1): \(error)")
                throw ArgumentParser.ExitCode(1)
            }
            guard let line else { break }
            lineNumber += 1
            if line.allSatisfy({ $0 == 32 || $0 == 9 || $0 == 13 }) { continue }
            let event: JSONValue
            do {
                event = try JSONParser.parse(line)
            } catch {
                let failure: JSONValue = .object(["error": .object([
                    "code": "malformed-json", "message": .string("line \(lineNumber): \(error)"),
                ])])
                if atomic {
                    Output.json(failure)
                    Output.error("line \(lineNumber) is not valid JSON; nothing was appended (--atomic)")
                    throw ArgumentParser.ExitCode(1)
                }
                // Results stay in input order: what was sent is answered first.
                try send()
                try drain()
                Output.json(failure)
                refused += 1
                continue
            }
            if atomic {
                guard pending.count < 10_000 else {
                    Output.error("--atomic takes at most 10000 events; the input has more. Nothing was appended.")
                    throw ArgumentParser.ExitCode(1)
                }
            } else if pending.count >= batch || pendingBytes + line.count > Self.requestBytesMax {
                try send()
            }
            pending.append((lineNumber, event))
            pendingBytes += line.count
        }
        try send()
        try drain()
        Progress.clear()
        if notesSeen > Self.notesShownMax && !allWarnings {
            Output.error("\(notesSeen - Self.notesShownMax) more warnings or duplicate notes not shown (--all-warnings shows them; "
                         + "ledgerctl warnings --org CODE lists the ledger's warnings)")
        }
        if refused > 0 {
            Output.error("\(refused) of \(stored + refused) events refused")
            throw ArgumentParser.ExitCode(1)
        }
    }
}

