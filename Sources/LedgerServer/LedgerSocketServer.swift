#if canImport(Glibc)
import Glibc
#endif
public import LedgerWire
public import Logging
public import NIOCore
public import NIOPosix
import Synchronization

/// The daemon's socket shell: listens on a Unix socket, identifies each peer,
/// checks its role per verb, hands requests to a `LedgerRequestHandler`, and
/// shuts down gracefully.
///
/// Lifecycle: `initial` → `start()` → `running` → `shutdown()` →
/// `shuttingDown` → `shutdown`. One instance serves once; create a new one to
/// serve again. All methods are safe to call from any task.
///
/// How ledgerd wires it (socket activation, readiness, signals, reload):
///
///     var file = try LedgerdConfiguration.load(path: configPath)   // + flags
///     let activation = try SocketActivation.takeFromEnvironment()
///     let (policy, warnings) = AccessPolicy.resolve(file.roleGrants)
///     warnings.forEach { logger.warning("\($0)") }
///     let signals = SignalWatcher()          // before start: no signal is lost to the default action
///     let server = LedgerSocketServer(
///         configuration: .init(file, activation: activation), handler: engineHandler,
///         policy: policy, logger: logger)
///     try await server.start()
///     let notifier = SystemdNotifier.fromProcessEnvironment()
///     notifier.ready(status: "serving")
///     let watchdog = Task { await notifier.runWatchdog() }
///     for await signal in signals.signals {
///         if signal == .hangup {
///             notifier.reloading()
///             if let reread = try? LedgerdConfiguration.load(path: configPath) {
///                 server.reload(AccessPolicy.resolve(reread.roleGrants).policy)
///             }
///             notifier.ready()
///         } else { break }
///     }
///     notifier.stopping()
///     await server.shutdown()                // then close the engine (LMDB)
///     watchdog.cancel()
///
/// Requests are answered in request order per connection while running
/// concurrently (see `ConnectionState`); verbs and roles are checked here,
/// arguments by the handler. `ping` is answered here without the handler.
public final class LedgerSocketServer: Sendable {
    /// Where the server listens.
    public enum Listener: Sendable, Hashable {
        /// A socket file the server creates (a stale one is removed first),
        /// sets to `mode` and `group`, and removes at shutdown.
        case path(String, mode: UInt32 = 0o660, group: String? = nil)
        /// A socket handed over by systemd (or a test), bound and maybe already
        /// listening. The server does not own its file: systemd does.
        case inheritedSocket(fd: Int32)
    }

    public struct Configuration: Sendable, Hashable {
        public var listener: Listener
        /// Connections beyond this get one `too-many-connections` line and are closed.
        public var connectionsMax: Int
        /// Connections one user other than root may hold (nil: a quarter of
        /// `connectionsMax`, at least 16; `ConnectionBudget`).
        public var connectionsPerUserMax: Int?
        /// Requests one connection may have running before the server stops reading it.
        public var requestsInFlightMax: Int
        public var wireLimits: WireLimits
        /// Close connections idle (nothing received, nothing running) this long; nil: never.
        public var idleTimeout: Duration?
        /// How long `shutdown()` lets in-flight requests finish before cancelling them.
        public var shutdownGrace: Duration
        /// The listen(2) backlog.
        public var backlog: Int32

        public init(
            listener: Listener, connectionsMax: Int = 256, connectionsPerUserMax: Int? = nil, requestsInFlightMax: Int = 128,
            wireLimits: WireLimits = WireLimits(), idleTimeout: Duration? = nil,
            shutdownGrace: Duration = .seconds(10), backlog: Int32 = 256
        ) {
            precondition(connectionsMax > 0 && requestsInFlightMax > 0 && backlog > 0, "limits must be positive")
            precondition((connectionsPerUserMax ?? 1) > 0, "limits must be positive")
            self.listener = listener
            self.connectionsMax = connectionsMax
            self.connectionsPerUserMax = connectionsPerUserMax
            self.requestsInFlightMax = requestsInFlightMax
            self.wireLimits = wireLimits
            self.idleTimeout = idleTimeout
            self.shutdownGrace = shutdownGrace
            self.backlog = backlog
        }

        /// The server settings of a config file; `activation` (systemd's
        /// socket, when present) wins over the file's `socket` path.
        public init(_ file: LedgerdConfiguration, activation: SocketActivation? = nil) {
            let listener: Listener =
                if let fd = activation?.fileDescriptors.first {
                    .inheritedSocket(fd: fd)
                } else {
                    .path(file.socketPath, mode: file.socketMode, group: file.socketGroup)
                }
            self.init(
                listener: listener, connectionsMax: file.connectionsMax,
                connectionsPerUserMax: file.connectionsPerUserMax, requestsInFlightMax: file.requestsInFlightMax,
                wireLimits: WireLimits(lineBytesMax: file.requestBytesMax),
                idleTimeout: file.idleTimeoutSeconds > 0 ? .seconds(file.idleTimeoutSeconds) : nil,
                shutdownGrace: .seconds(file.shutdownGraceSeconds))
        }
    }

    private enum Lifecycle {
        case initial
        case starting
        case running(Running)
        case shuttingDown
        case shutdown
    }

    private struct Running {
        let serverChannel: any Channel
        let acceptLoopDone: CompletionSignal
        let acceptLoop: Task<Void, Never>
        /// The socket file to remove at shutdown (nil: inherited socket).
        let socketFile: (path: String, identity: SocketFile.Identity?)?
    }

    private struct State {
        var lifecycle = Lifecycle.initial
        var policy: AccessPolicy
        /// Reloads so far: connections read their peers' groups again after one.
        var policyGeneration: UInt64 = 0
        var connections: [UInt64: any Channel] = [:]
        var budget: ConnectionBudget
        var nextConnectionID: UInt64 = 0
        var connectionsAccepted: UInt64 = 0
        var connectionsRefused: UInt64 = 0
        var requests: UInt64 = 0
        var requestsOnEventLoop: UInt64 = 0
        var startedAt: ContinuousClock.Instant?
    }

    public let configuration: Configuration
    private let handler: any LedgerRequestHandler
    private let logger: Logger
    private let eventLoopGroup: any EventLoopGroup
    /// One per event loop of the group, for answers from other threads.
    private let answerInboxes: [ObjectIdentifier: AnswerInbox]
    private let state: Mutex<State>
    /// Signalled when `start()` has finished, either way, so a `shutdown()`
    /// that arrives mid-start (SIGTERM during startup) can wait for it.
    private let startFinished = CompletionSignal()

    public init(
        configuration: Configuration, handler: some LedgerRequestHandler, policy: AccessPolicy = .rootOnly,
        logger: Logger, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) {
        self.configuration = configuration
        self.handler = handler
        self.logger = logger
        self.eventLoopGroup = eventLoopGroup
        answerInboxes = Dictionary(
            eventLoopGroup.makeIterator().map { (ObjectIdentifier($0), AnswerInbox(eventLoop: $0)) },
            uniquingKeysWith: { first, _ in first })
        self.state = Mutex(State(policy: policy, budget: ConnectionBudget(
            connectionsMax: configuration.connectionsMax, perUserMax: configuration.connectionsPerUserMax)))
    }

    // MARK: Start

    /// Binds (or adopts the inherited socket) and starts accepting. Returns
    /// once clients can connect: the moment to tell systemd `READY=1`.
    public func start() async throws(ServerError) {
        try state.withLock { state throws(ServerError) in
            guard case .initial = state.lifecycle else { throw ServerError.notInitial }
            state.lifecycle = .starting
        }
        defer { startFinished.signal() }
        do {
            let (serverChannel, socketFile) = try await bind()
            let done = CompletionSignal()
            // The loop must not admit anyone before the state says running (an
            // inherited socket may already hold queued clients), and the state
            // holds the loop's task: so the loop waits for this signal.
            let stateIsRunning = CompletionSignal()
            let acceptLoop = Task { [self] in
                await stateIsRunning.wait()
                await acceptConnections(serverChannel)
                done.signal()
            }
            state.withLock { state in
                state.lifecycle = .running(
                    Running(serverChannel: serverChannel.channel, acceptLoopDone: done, acceptLoop: acceptLoop, socketFile: socketFile))
                state.startedAt = .now
            }
            stateIsRunning.signal()
            logger.notice("listening", metadata: ["socket": "\(socketFile?.path ?? "inherited")"])
        } catch {
            state.withLock { $0.lifecycle = .shutdown }
            throw error
        }
    }

    private typealias ServerChannel = NIOAsyncChannel<AcceptedConnection, Never>

    private func bind() async throws(ServerError) -> (ServerChannel, (path: String, identity: SocketFile.Identity?)?) {
        let bootstrap = ServerBootstrap(group: eventLoopGroup)
            .serverChannelOption(.backlog, value: configuration.backlog)
            // A client that half-closes after sending (`socat`, shell pipes) still gets its answers.
            .childChannelOption(.allowRemoteHalfClosure, value: true)
        let initializer = childInitializer()
        switch configuration.listener {
        case .path(let path, let mode, let group):
            try SocketFile.prepare(path: path)
            let channel: ServerChannel
            do {
                channel = try await bootstrap.bind(unixDomainSocketPath: path, childChannelInitializer: initializer)
            } catch {
                throw ServerError.bind(path: path, reason: "\(error)")
            }
            do {
                try SocketFile.applyAccess(path: path, mode: mode, group: group)
            } catch {
                try? await channel.channel.close()
                SocketFile.remove(path: path, ifStill: SocketFile.identity(path: path))
                throw error
            }
            return (channel, (path, SocketFile.identity(path: path)))
        case .inheritedSocket(let fd):
            try SocketFile.validateInherited(fd: fd)
            do {
                return (try await bootstrap.bind(fd, childChannelInitializer: initializer), nil)
            } catch {
                throw ServerError.bind(path: SocketFile.boundPath(fd: fd) ?? "fd \(fd)", reason: "\(error)")
            }
        }
    }

    /// Sets up each accepted channel on its event loop: peer credentials
    /// first (a connection whose peer cannot be identified is closed), then
    /// the line decoder, the idle timer, the fast path for appends and the
    /// async wrapper.
    private func childInitializer() -> @Sendable (any Channel) -> EventLoopFuture<AcceptedConnection> {
        let lineBytesMax = configuration.wireLimits.lineBytesMax
        let inFlightMax = configuration.requestsInFlightMax
        // The request lines one connection's requests in flight may hold
        // between them: four of the longest, and at least 4 MiB.
        let bytesInFlightMax = max(4 * lineBytesMax, 4 << 20)
        let idleTimeout = configuration.idleTimeout
        let connection = connectionContext()
        let answerInboxes = self.answerInboxes
        return { channel in
            PeerCredentials.read(from: channel).flatMapThrowing { credentials in
                let connectionState = ConnectionState(inFlightMax: inFlightMax, bytesInFlightMax: bytesInFlightMax)
                let pipeline = channel.pipeline.syncOperations
                try pipeline.addHandler(ByteToMessageHandler(LineFrameDecoder(lineBytesMax: lineBytesMax)))
                try pipeline.addHandler(ClientGoneObserver(state: connectionState))
                if let idleTimeout {
                    try pipeline.addHandler(IdleStateHandler(readTimeout: TimeAmount(idleTimeout)))
                    try pipeline.addHandler(IdleConnectionCloser(state: connectionState))
                }
                let peers = PeerSlot()
                try pipeline.addHandler(ImmediateRequestHandler(
                    state: connectionState, connection: connection, peers: peers,
                    answers: answerInboxes[ObjectIdentifier(channel.eventLoop)] ?? AnswerInbox(eventLoop: channel.eventLoop)))
                let asyncChannel = try NIOAsyncChannel<NumberedFrame, ByteBuffer>(
                    wrappingChannelSynchronously: channel,
                    // Lines read ahead of the reader's loop are not yet counted in the
                    // connection's byte budget: at most a few (each ≤ request-bytes-max).
                    configuration: .init(backPressureStrategy: .init(lowWatermark: 1, highWatermark: 2)))
                return AcceptedConnection(
                    channel: asyncChannel, credentials: credentials, state: connectionState, peers: peers)
            }
        }
    }

    // MARK: Accept loop

    /// What every connection's handlers need from the server.
    private func connectionContext() -> ConnectionContext {
        ConnectionContext(
            handler: handler, limits: configuration.wireLimits, logger: logger,
            policy: { [self] in self.state.withLock { ($0.policy, $0.policyGeneration) } },
            isAcceptingRequests: { [self] in
                self.state.withLock { if case .running = $0.lifecycle { true } else { false } }
            },
            countRequest: { [self] onEventLoop in
                self.state.withLock {
                    $0.requests += 1
                    if onEventLoop { $0.requestsOnEventLoop += 1 }
                }
            })
    }

    private enum Admission {
        case admit(UInt64)
        case refuse(WireError)
        case drop
    }

    private func acceptConnections(_ serverChannel: ServerChannel) async {
        let connectionHandler = ConnectionHandler(context: connectionContext())
        let connectionsMax = configuration.connectionsMax
        await withDiscardingTaskGroup { group in
            do {
                try await serverChannel.executeThenClose { inbound in
                    for try await connection in inbound {
                        let uid = connection.credentials.uid
                        let admission = admit(connection.channel.channel, uid: uid)
                        switch admission {
                        case .admit(let id):
                            group.addTask {
                                await connectionHandler.run(connection)
                                self.state.withLock {
                                    _ = $0.connections.removeValue(forKey: id)
                                    $0.budget.release(uid: uid)
                                }
                            }
                        case .refuse(let error):
                            logger.warning("connection refused", metadata: [
                                "uid": "\(uid)", "max": "\(connectionsMax)", "why": "\(error.message)"])
                            group.addTask { await Self.refuse(connection, error) }
                        case .drop:
                            connection.channel.channel.close(promise: nil)
                        }
                    }
                }
            } catch {
                logger.debug("accept loop ended", metadata: ["error": "\(error)"])
            }
        }
    }

    private func admit(_ channel: any Channel, uid: UInt32) -> Admission {
        state.withLock { state in
            guard case .running = state.lifecycle else { return .drop }
            if let refusal = state.budget.admit(uid: uid) {
                state.connectionsRefused += 1
                let budget = state.budget
                switch refusal {
                case .full:
                    return .refuse(WireError(
                        .tooManyConnections, "the daemon serves at most \(budget.connectionsMax) connections; retry later",
                        details: ["max": .int(Int64(budget.connectionsMax))]))
                case .userFull(let held):
                    return .refuse(WireError(
                        .tooManyConnections,
                        "uid \(uid) holds \(held) connections, the most one user may (max-connections-per-user); close some",
                        details: ["max": .int(Int64(budget.perUserMax)), "uid": .int(Int64(uid))]))
                }
            }
            state.nextConnectionID += 1
            state.connectionsAccepted += 1
            state.connections[state.nextConnectionID] = channel
            return .admit(state.nextConnectionID)
        }
    }

    /// Tells an extra client why, in one protocol line, then closes.
    private static func refuse(_ connection: AcceptedConnection, _ error: WireError) async {
        try? await connection.channel.executeThenClose { _, outbound in
            try await outbound.write(ByteBuffer(bytes: WireFrame.error(id: .null, error).encodedLine()))
        }
    }

    // MARK: Shutdown

    /// Stops accepting, removes the socket file, lets in-flight requests
    /// finish within `shutdownGrace`, then cancels what is left and closes
    /// every connection. Requests read after this began get `shutting-down`.
    /// Safe to call more than once; later calls return at once.
    public func shutdown() async {
        if state.withLock({ if case .starting = $0.lifecycle { true } else { false } }) {
            await startFinished.wait()
        }
        let running: Running? = state.withLock { state in
            switch state.lifecycle {
            case .running(let running):
                state.lifecycle = .shuttingDown
                return running
            case .initial:
                state.lifecycle = .shutdown
                return nil
            case .starting, .shuttingDown, .shutdown:
                return nil
            }
        }
        guard let running else { return }
        logger.notice("shutting down", metadata: ["connections": "\(connectionCount)"])
        try? await running.serverChannel.close()
        if let socketFile = running.socketFile {
            SocketFile.remove(path: socketFile.path, ifStill: socketFile.identity)
        }
        // Stop reading: each connection answers what it has read, then ends.
        for channel in state.withLock({ Array($0.connections.values) }) {
            channel.close(mode: .input, promise: nil)
        }
        if await !running.acceptLoopDone.wait(timeout: configuration.shutdownGrace) {
            logger.warning("shutdown grace period over; cancelling in-flight requests", metadata: ["connections": "\(connectionCount)"])
            running.acceptLoop.cancel()
            for channel in state.withLock({ Array($0.connections.values) }) {
                channel.close(promise: nil)
            }
            if await !running.acceptLoopDone.wait(timeout: .seconds(2)) {
                logger.error("handlers ignored cancellation; stopping without them")
            }
        }
        state.withLock { $0.lifecycle = .shutdown }
        logger.notice("shut down")
    }

    // MARK: Policy and statistics

    /// Replaces the access policy (SIGHUP). Applies to the next request on
    /// every connection, open ones included, with each peer's groups read
    /// again from the system.
    public func reload(_ policy: AccessPolicy) {
        state.withLock {
            $0.policy = policy
            $0.policyGeneration += 1
        }
        logger.notice("access policy reloaded")
    }

    public var policy: AccessPolicy { state.withLock { $0.policy } }

    public var connectionCount: Int { state.withLock { $0.connections.count } }

    public var statistics: ServerStatistics {
        state.withLock { state in
            ServerStatistics(
                connections: state.connections.count, connectionsAccepted: state.connectionsAccepted,
                connectionsRefused: state.connectionsRefused, requests: state.requests,
                requestsOnEventLoop: state.requestsOnEventLoop,
                uptime: state.startedAt.map { .now - $0 } ?? .zero)
        }
    }

    /// Whether the server is between `start()` and `shutdown()`.
    public var isRunning: Bool {
        state.withLock { if case .running = $0.lifecycle { true } else { false } }
    }
}

/// Counters for `ledgerctl status` (connections, uptime).
public struct ServerStatistics: Sendable, Hashable {
    public let connections: Int
    public let connectionsAccepted: UInt64
    public let connectionsRefused: UInt64
    public let requests: UInt64
    /// Of `requests`, those served by the event loop itself (appends on an
    /// idle connection: `ImmediateRequestHandler`).
    public let requestsOnEventLoop: UInt64
    public let uptime: Duration
}

extension TimeAmount {
    init(_ duration: Duration) {
        let (seconds, attoseconds) = duration.components
        self = .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}
