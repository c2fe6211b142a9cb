public import LedgerJSON
public import LedgerWire

/// Lets a handler send `item` and `progress` frames before its final result.
///
/// Each send waits until it is this request's turn to write (responses go out
/// in request order) and until the socket can take more (back-pressure: a
/// slow reader slows the handler rather than growing the daemon's memory).
public struct ResponseOutput: Sendable {
    /// The client is gone (the connection failed or closed): stop streaming.
    public struct ClientGone: Error, Sendable, Hashable {
        public init() {}
    }

    /// The request's id, echoed in every frame.
    public let id: JSONValue
    private let sink: @Sendable (WireFrame) async -> Bool
    private let gone: @Sendable () -> Bool
    private let holdTurn: @Sendable () async -> Void
    private let releaseTurn: @Sendable () -> Void

    /// A response output writing to `sink`, which returns false once the
    /// client is gone. Public so engine tests can collect frames without a socket.
    /// `holdEnqueueTurn`/`releaseEnqueueTurn` order appends within a connection
    /// (the server passes its `EnqueueGate`; alone, there is nothing to order).
    public init(
        id: JSONValue,
        isClientGone: @escaping @Sendable () -> Bool = { false },
        holdEnqueueTurn: @escaping @Sendable () async -> Void = {},
        releaseEnqueueTurn: @escaping @Sendable () -> Void = {},
        sink: @escaping @Sendable (WireFrame) async -> Bool
    ) {
        self.id = id
        self.sink = sink
        self.gone = isClientGone
        holdTurn = holdEnqueueTurn
        releaseTurn = releaseEnqueueTurn
    }

    /// For an append: waits until every earlier request on this connection
    /// has put its events into the append queue (or has none), so pipelined
    /// appends are committed in request order. Call `releaseEnqueueTurn` right
    /// after queueing, before waiting for the commit.
    public func holdEnqueueTurn() async { await holdTurn() }

    /// Ends the turn `holdEnqueueTurn` took.
    public func releaseEnqueueTurn() { releaseTurn() }

    /// Sends `{"id":…,"item":value}`: an export line, a tail event.
    public func item(_ value: JSONValue) async throws(ClientGone) {
        guard await sink(.item(id: id, value)) else { throw ClientGone() }
    }

    /// Sends `{"id":…,"item":…}` with `bytes` as the item, unparsed.
    /// - Precondition: `bytes` is one canonical JSON value (an export line).
    public func item(canonical bytes: [UInt8]) async throws(ClientGone) {
        guard await sink(.canonicalItem(id: id, bytes: bytes)) else { throw ClientGone() }
    }

    /// Sends `{"id":…,"progress":{"done":…,"total":…}}`; `total` nil when unknown.
    public func progress(done: Int64, total: Int64?) async throws(ClientGone) {
        guard await sink(.progress(id: id, done: done, total: total)) else { throw ClientGone() }
    }

    /// Whether the client has closed its socket or a write failed. A
    /// long-polling handler (`tail --follow`) may check this between waits;
    /// the server also cancels the handler's task when the client leaves.
    public var isClientGone: Bool { gone() }
}
