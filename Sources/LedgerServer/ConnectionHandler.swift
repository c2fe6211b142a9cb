import LedgerJSON
import LedgerWire
import Logging
import NIOCore

/// What a connection needs from its server, captured at accept time.
struct ConnectionContext: Sendable {
    let handler: any LedgerRequestHandler
    let limits: WireLimits
    let logger: Logger
    /// The current policy and how many reloads made it (re-read per request
    /// so a reload applies at once; a new generation reads the peer's groups again).
    let policy: @Sendable () -> (policy: AccessPolicy, generation: UInt64)
    /// False once shutdown began: lines read after that get `shutting-down`.
    let isAcceptingRequests: @Sendable () -> Bool
    /// Counts one served request, served by the event loop itself or not
    /// (for `ServerStatistics`).
    let countRequest: @Sendable (_ onEventLoop: Bool) -> Void
}

/// A connection accepted and set up on its event loop: the async channel,
/// the peer's kernel credentials and the connection's bookkeeping.
struct AcceptedConnection: Sendable {
    let channel: NIOAsyncChannel<NumberedFrame, ByteBuffer>
    let credentials: UCred
    let state: ConnectionState
    /// Filled once the peer is identified; read by `ImmediateRequestHandler`.
    let peers: PeerSlot
}

/// Serves one connection: reads lines, runs each request as a child task,
/// writes the responses in request order, and closes when the input ends.
/// (A plain append on an idle connection never reaches it: the event loop
/// serves that one itself, see `ImmediateRequestHandler`.)
///
/// Nothing a client sends ends the daemon or another connection: every bad
/// line gets an error frame and the loop carries on. The connection ends when
/// the client closes (or half-closes: pending responses are still written),
/// when a read fails, or when the server closes its input at shutdown.
struct ConnectionHandler: Sendable {
    let context: ConnectionContext

    func run(_ connection: AcceptedConnection) async {
        let (policy, generation) = context.policy()
        let identity = await PeerCredentials.identifyOffPool(connection.credentials, policy: policy)
        let peers = PeerCache(credentials: connection.credentials, peer: identity, generation: generation)
        connection.peers.fill(peers)
        let logger = {
            var logger = context.logger
            logger[metadataKey: "peer"] = "\(identity.userName)/\(identity.uid)/pid \(identity.pid)"
            return logger
        }()
        logger.debug("connection opened", metadata: ["roles": "\(identity.roles.map(\.rawValue).sorted())"])
        let state = connection.state
        do {
            try await connection.channel.executeThenClose { inbound, outbound in
                let writer = FrameWriter(outbound: outbound, state: state)
                await withDiscardingTaskGroup { group in
                    do {
                        for try await numbered in inbound {
                            let frame = numbered.frame
                            let bytes = frame.bytes
                            guard await state.acquireSlot(bytes: bytes) else { break }
                            let current = numbered.serial
                            group.addTask {
                                await serve(frame, serial: current, peers: peers, state: state, writer: writer, logger: logger)
                                state.releaseSlot(bytes: bytes)
                            }
                        }
                    } catch {
                        logger.debug("connection read ended", metadata: ["error": "\(error)"])
                    }
                    // Input ended. A client that half-closed still reads: let
                    // its requests finish. One that is gone reads nothing more:
                    // cancel what it left running (a tail waiting for events),
                    // also when the channel reports it gone only later.
                    if await state.waitUntilGoneOrAnswered() {
                        group.cancelAll()
                    }
                }
                // The event loop's own requests are answered before the close.
                await state.waitForImmediateRequests()
            }
        } catch {
            logger.debug("connection closed with error", metadata: ["error": "\(error)"])
        }
        logger.debug("connection closed")
    }

    /// Answers one line: decodes, checks, runs the handler, writes the final
    /// frame in turn. Always ends its turn, whatever happened, so a failure
    /// never stalls the requests pipelined after it.
    private func serve(
        _ frame: LineFrame, serial: UInt64, peers: PeerCache, state: ConnectionState, writer: FrameWriter, logger: Logger
    ) async {
        context.countRequest(false)
        let gate = EnqueueGate(state: state, serial: serial)
        let final: WireFrame
        switch frame {
        case .tooLong(let bytesMax):
            final = .error(
                id: .null,
                WireError(.lineTooLong, "the request line is longer than \(bytesMax) bytes; it was skipped up to the next newline"))
        case .line(let buffer):
            final = await respond(
                to: buffer, serial: serial, gate: gate, peers: peers, state: state, writer: writer, logger: logger)
        }
        await gate.pass()  // if the request never reached the handler's own pass
        if await state.waitForTurn(serial) {
            _ = await writer.write(final)
        }
        state.endTurn(serial)
    }

    private func respond(
        to line: ByteBuffer, serial: UInt64, gate: EnqueueGate, peers: PeerCache, state: ConnectionState,
        writer: FrameWriter, logger: Logger
    ) async -> WireFrame {
        let request: WireRequest
        do {
            request = try WireRequest.decode(line: line.readableBytesView, limits: context.limits)
        } catch {
            logger.debug("bad request", metadata: ["code": "\(error.error.code.rawValue)"])
            return .error(id: error.id, error.error)
        }
        guard context.isAcceptingRequests() else {
            return .error(id: request.id, WireError(.shuttingDown, "the daemon is shutting down; retry when it is back"))
        }
        guard let required = VerbCatalog.requiredRole(for: request.verb) else {
            return .error(
                id: request.id,
                WireError(
                    .unknownVerb, "unknown verb '\(request.verb)'; known verbs: \(VerbCatalog.verbs.joined(separator: ", "))",
                    details: ["verb": .string(request.verb)]))
        }
        let (policy, generation) = context.policy()
        let peer = await peers.peer(under: policy, generation: generation)
        guard peer.roles.permit(required) else {
            // A refusal is worth an audit trail: who tried what.
            logger.notice(
                "permission denied",
                metadata: ["verb": "\(request.verb)", "required": "\(required.rawValue)", "roles": "\(peer.roles.map(\.rawValue).sorted())"])
            return .error(id: request.id, Self.permissionDenied(peer: peer, verb: request.verb, required: required))
        }
        if request.verb == "ping" {
            // Answered here, before the handler's own check of argument names.
            if let unknown = VerbCatalog.unknownArgument(of: "ping", in: request.args.keys) {
                return .error(
                    id: request.id,
                    WireError(.badArguments, "args.\(unknown) is not an argument of 'ping'; it takes none",
                              details: ["argument": .string(unknown), "verb": "ping"]))
            }
            return .result(id: request.id, Self.pong(peer))
        }
        // Only an append queues events; anything else passes its enqueue turn
        // now, so a long request (a tail, a verify) never holds appends back.
        if request.verb != "append" { await gate.pass() }
        let output = ResponseOutput(
            id: request.id, isClientGone: { state.isClientGone },
            holdEnqueueTurn: { await gate.hold() }, releaseEnqueueTurn: { gate.release() }
        ) { frame in
            guard await state.waitForTurn(serial) else { return false }
            return await writer.write(frame)
        }
        switch await context.handler.handle(request, peer: peer, output: output) {
        case .success(let value):
            return .result(id: request.id, value)
        case .failure(let error):
            if error.code == .internal {
                logger.error("internal error", metadata: ["verb": "\(request.verb)", "error": "\(error.message)"])
            }
            return .error(id: request.id, error)
        }
    }

    /// The refusal says who the caller is, what the verb needs and what to do.
    static func permissionDenied(peer: Peer, verb: String, required: Role) -> WireError {
        let details: JSONValue = [
            "verb": .string(verb), "requiredRole": .string(required.rawValue),
            "roles": .array(peer.roles.sorted().map { .string($0.rawValue) }),
            "uid": .int(Int64(peer.uid)), "user": .string(peer.userName),
        ]
        guard let role = peer.role else {
            return WireError(
                .permissionDenied,
                "\(peer.displayName) has no role on this ledger; an administrator can grant one in the [roles] section of ledgerd.conf",
                details: details)
        }
        let held = peer.roles.count > 1 ? peer.roles.sorted().map(\.rawValue).joined(separator: ", ") : role.rawValue
        return WireError(
            .permissionDenied, "verb '\(verb)' needs the \(required.rawValue) role; \(peer.displayName) has \(held)",
            details: details)
    }

    /// `ping` is answered by the server itself: a liveness check that also
    /// tells a person at socat who the daemon thinks they are.
    static func pong(_ peer: Peer) -> JSONValue {
        [
            "pong": true, "uid": .int(Int64(peer.uid)), "user": .string(peer.userName),
            "roles": .array(peer.roles.sorted().map { .string($0.rawValue) }),
        ]
    }
}

/// Writes frames to the connection, remembering when the client is gone so
/// later writes return at once instead of failing one by one.
struct FrameWriter: Sendable {
    let outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>
    let state: ConnectionState

    /// Writes and flushes one frame; waits while the socket is not writable.
    /// Returns false if the client is gone.
    func write(_ frame: WireFrame) async -> Bool {
        if state.isClientGone { return false }
        do {
            try await outbound.write(ByteBuffer(bytes: frame.encodedLine()))
            return true
        } catch {
            state.markClientGone()
            return false
        }
    }
}
