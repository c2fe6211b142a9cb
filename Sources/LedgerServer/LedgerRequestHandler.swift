public import LedgerJSON
public import LedgerWire

/// What the server calls for each request it accepted.
///
/// By the time `handle` runs, the server has decoded the line, found the verb
/// in `VerbCatalog` and checked the peer's roles: the handler validates only
/// the arguments (`bad-arguments`) and does the work.
///
/// Many requests run concurrently (from several connections and pipelined on
/// one), so an implementation must be safe to call from many tasks. A handler
/// that streams (`export`, `tail`) should stop when `output` reports the
/// client gone and should honour task cancellation, which the server uses
/// when the shutdown grace period runs out.
public protocol LedgerRequestHandler: Sendable {
    /// Serves one request. Stream frames go through `output`; the returned
    /// value is the final `result` (or `error`) frame. Return `.internal` for
    /// unexpected failures: the server logs its message and sends it as is,
    /// so keep secrets and paths out of it.
    func handle(_ request: WireRequest, peer: Peer, output: ResponseOutput) async -> Result<JSONValue, WireError>

    /// The fast path, for a request that needs no stream and no waiting
    /// before its work is handed off (a small `append`): the work to start
    /// from the event loop, or nil to have the request go through `handle`
    /// (the default). Called only for a request the server has checked (verb
    /// known, role held) on a connection with nothing else in flight. Decline
    /// anything whose arguments are not plainly valid: `handle` gives the
    /// precise error. The result must be what `handle` would have returned.
    func immediate(_ request: WireRequest, peer: Peer) -> ImmediateRequest?
}

/// A request the handler can serve without a task, started on the
/// connection's event loop: `start` must not block, and calls its completion
/// exactly once, from any thread, with a function that makes the final
/// result. The server calls that function on the event loop: the thread that
/// completes (the ledger's committer) only hands the answer over.
public struct ImmediateRequest: Sendable {
    public typealias Answer = @Sendable () -> Result<JSONValue, WireError>
    public let start: @Sendable (_ completion: @escaping @Sendable (_ answer: @escaping Answer) -> Void) -> Void

    public init(start: @escaping @Sendable (_ completion: @escaping @Sendable (_ answer: @escaping Answer) -> Void) -> Void) {
        self.start = start
    }
}

extension LedgerRequestHandler {
    /// Declines: every request goes through `handle`.
    public func immediate(_ request: WireRequest, peer: Peer) -> ImmediateRequest? { nil }
}
