import Foundation
import LedgerEngine
import LedgerJSON
import LedgerWire
import Logging

/// Serves the protocol's verbs from a `LedgerEngine`. The server has already
/// checked the verb and the caller's role; this validates arguments, runs the
/// work (blocking parts off the cooperative pool) and maps engine errors to
/// wire errors. Unknown failures become `internal` and are logged.
public struct EngineRequestHandler: LedgerRequestHandler {
    let engine: LedgerEngine
    let logger: Logger
    /// Server-side figures for `status` (connections, requests).
    let serverStatus: @Sendable () -> [String: JSONValue]
    /// Called by the `reload` verb (re-reads the role map).
    let reload: @Sendable () async -> Result<JSONValue, WireError>

    public init(engine: LedgerEngine, logger: Logger,
                serverStatus: @escaping @Sendable () -> [String: JSONValue],
                reload: @escaping @Sendable () async -> Result<JSONValue, WireError>) {
        self.engine = engine
        self.logger = logger
        self.serverStatus = serverStatus
        self.reload = reload
    }

    public func handle(_ request: WireRequest, peer: Peer, output: ResponseOutput) async -> Result<JSONValue, WireError> {
        let args = Arguments(request.args)
        if let unknown = VerbCatalog.unknownArgument(of: request.verb, in: request.args.keys) {
            let known = VerbCatalog.arguments[request.verb, default: []].sorted()
            return .failure(WireError(
                .badArguments,
                "args.\(unknown) is not an argument of '\(request.verb)'; "
                    + (known.isEmpty ? "it takes none" : "it takes: \(known.joined(separator: ", "))"),
                details: ["argument": .string(unknown), "verb": .string(request.verb)]))
        }
        do {
            switch request.verb {
            case "ping":
                return .success(.object(["pong": true]))
            case "append":
                return .success(try await append(args, peer: peer, output: output))
            case "export", "tail":
                return .success(try await stream(request.verb, args, output: output))
            case "reload":
                return await reload()
            case "verify", "rebuild":
                return .success(try await withProgress(request.verb, output: output))
            case "replay":
                let asOf = try args.optionalDate("asOf")
                let atSeq = try args.optionalInt("atSeq").map(UInt64.init)
                let engine = self.engine
                let entities = try await LongWork.blocking { try engine.replay(asOf: asOf, atSeq: atSeq) }
                for (file, value) in entities { try await output.item(.object(["file": .string(file), "value": value])) }
                return .success(.object(["count": .int(Int64(entities.count))]))
            default:
                let engine = self.engine
                let verb = request.verb
                let call = try Self.blockingCall(verb, args)
                // A query `atSeq` replays the log; a backup copies the whole file.
                let long = verb == "backup" || request.args["atSeq"] != nil
                var result = try await long
                    ? LongWork.blocking { try call(engine) }
                    : Blocking.run { try call(engine) }
                if verb == "status", case .object(var object) = result {
                    object.merge(serverStatus()) { _, server in server }
                    result = .object(object)
                }
                return .success(result)
            }
        } catch let error as WireError {
            return .failure(error)
        } catch let error as EngineError {
            return .failure(Self.wireError(error))
        } catch is ResponseOutput.ClientGone {
            return .failure(WireError(.unavailable, "the client went away"))
        } catch is CancellationError {
            // The request was cancelled: its client left (a `tail --follow`
            // waiting for events, work waiting for a blocking slot), or the
            // daemon is stopping and its grace period ended. Not a fault.
            return .failure(WireError(.unavailable, "the request was cancelled: the client left or the daemon is stopping"))
        } catch {
            logger.error("\(request.verb) failed: \(error)")
            return .failure(WireError(.internal, "\(request.verb) failed: \(error)"))
        }
    }

    /// `verify` and `rebuild` read the whole log: they run on the blocking
    /// pool and their (done, total) reports go out as progress frames, the
    /// latest one whenever the socket can take it (older ones are dropped, not
    /// queued). If the client leaves once the work has started, it still runs
    /// to its end (it holds one blocking slot meanwhile) and a rebuild still
    /// swaps in a drifted state; if it leaves while the work waits for a slot,
    /// the work never starts (`Blocking`).
    ///
    /// The long-work gate (`LongWork`) is held by the work alone, never while
    /// progress frames wait for their turn or for the socket: a client could
    /// otherwise keep both of the gate's slots for as long as it stays
    /// connected (a `tail --follow` pipelined before two verifies).
    private func withProgress(_ verb: String, output: ResponseOutput) async throws -> JSONValue {
        let engine = self.engine
        let (reports, continuation) = AsyncStream<(UInt64, UInt64)>.makeStream(bufferingPolicy: .bufferingNewest(1))
        async let result = Self.longWork(finishing: continuation) {
            let progress: (UInt64, UInt64) -> Void = { continuation.yield(($0, $1)) }
            return verb == "verify" ? try engine.verify(progress: progress) : try engine.rebuild(progress: progress)
        }
        for await (done, total) in reports {
            try await output.progress(done: Int64(done), total: Int64(total))
        }
        return try await result
    }

    /// Runs `work` through the long-work gate and a blocking slot, and ends
    /// `reports` however it ends (a cancelled wait for the gate included).
    private static func longWork(
        finishing reports: AsyncStream<(UInt64, UInt64)>.Continuation, _ work: @escaping @Sendable () throws -> JSONValue
    ) async throws -> JSONValue {
        defer { reports.finish() }
        return try await LongWork.blocking(work)
    }

    static func wireError(_ error: EngineError) -> WireError {
        let details: JSONValue? = error.details.isEmpty ? nil : .object(error.details.mapValues { .string($0) })
        return WireError(WireErrorCode(rawValue: error.code.rawValue) ?? .internal, error.message, details: details)
    }

    private func append(_ args: Arguments, peer: Peer, output: ResponseOutput) async throws -> JSONValue {
        let events = try args.array("events")
        let atomic = try args.bool("atomic", default: false)
        guard !events.isEmpty else { throw WireError(.badArguments, "args.events is empty; send at least one event") }
        // Refused whole, in one error: answering each event of an oversized
        // request with its own refusal would build a response line of many
        // megabytes (a 1 MiB line holds half a million tiny array elements).
        let eventsMax = engine.configuration.requestEventsMax
        guard events.count <= eventsMax else {
            throw WireError(.badArguments, "args.events has \(events.count) events; at most \(eventsMax) in one request (send more requests)")
        }
        // Decoded concurrently with the connection's other requests, queued in request order.
        let outcomes = await engine.append(
            events, actor: Actor(uid: peer.uid, user: peer.userName), atomic: atomic,
            beforeQueueing: { await output.holdEnqueueTurn() }, afterQueueing: { output.releaseEnqueueTurn() })
        return .object(["results": .array(outcomes.map(\.json))])
    }

    /// A plain `append` (its events an array of at most the request limit,
    /// `atomic` a boolean or absent, nothing else) starts from the event loop
    /// and is answered from the committer's thread: no task, no hop through
    /// the cooperative pool. Anything else goes through `handle`, which
    /// explains what is wrong with it.
    public func immediate(_ request: WireRequest, peer: Peer) -> ImmediateRequest? {
        guard request.verb == "append", case .array(let events)? = request.args["events"], !events.isEmpty,
              events.count <= engine.configuration.requestEventsMax,
              request.args.keys.allSatisfy({ $0 == "events" || $0 == "atomic" })
        else { return nil }
        let atomic: Bool
        switch request.args["atomic"] {
        case nil: atomic = false
        case .bool(let value)?: atomic = value
        default: return nil
        }
        let engine = self.engine
        let actor = Actor(uid: peer.uid, user: peer.userName)
        return ImmediateRequest { completion in
            engine.submit(events, actor: actor, atomic: atomic) { outcomes in
                completion { .success(.object(["results": .array(outcomes.map(\.json))])) }
            }
        }
    }

    /// `export` and `tail`: export lines from `fromSeq` (or the last N) up to the
    /// size at the start (or `throughSeq`, for `export`), in chunks (each chunk one read snapshot; the log is
    /// append-only so chunks form one consistent prefix); `tail` with `follow`
    /// then waits for new events until the client leaves.
    private func stream(_ verb: String, _ args: Arguments, output: ResponseOutput) async throws -> JSONValue {
        let engine = self.engine
        let size = try await Blocking.run { try engine.read { try $0.size() } }
        var next: UInt64
        if let from = try args.optionalInt("fromSeq", min: 1) {
            next = UInt64(from)
        } else if let last = try args.optionalInt("last", min: 0) {
            next = size > UInt64(last) ? size - UInt64(last) + 1 : 1
        } else {
            next = 1
        }
        let follow = verb == "tail" ? try args.bool("follow", default: false) : false
        var sent: Int64 = 0
        var limit = size
        // `export` up to a given seq: e.g. the size of a checkpoint taken
        // before, so that the export is exactly what that checkpoint signs.
        if verb == "export", let through = try args.optionalInt("throughSeq", min: 0) {
            limit = min(size, UInt64(through))
        }
        while true {
            while next <= limit {
                let from = next
                let through = min(limit, next + 255)
                // At most 256 events or ~4 MiB a chunk: memory stays bounded per stream.
                let (lines, last) = try await Blocking.run {
                    var lines: [[UInt8]] = []
                    var bytes = 0
                    var last = from - 1
                    try engine.export(fromSeq: from, through: through) { seq, line in
                        lines.append(line)  // canonical JSON already: sent as is
                        bytes += line.count
                        last = seq
                        return bytes < 4 << 20
                    }
                    return (lines, last)
                }
                for line in lines { try await output.item(canonical: line) }
                sent += Int64(lines.count)
                guard last >= from else { break }
                next = last + 1
            }
            guard follow else { break }
            while true {
                if output.isClientGone || Task.isCancelled { return .object(["count": .int(sent)]) }
                let current = try await Blocking.run { try engine.read { try $0.size() } }
                if current >= next {
                    limit = current
                    break
                }
                try await Task.sleep(nanoseconds: 50_000_000)
            }
        }
        return .object(["count": .int(sent), "size": .int(Int64(limit))])
    }
}
