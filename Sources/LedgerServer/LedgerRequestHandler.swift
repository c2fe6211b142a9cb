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
}
