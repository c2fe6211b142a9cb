import NIOCore

/// Closes a connection's input when `IdleStateHandler` reports no reads for
/// the idle timeout and no request is running (a `tail --follow` waiting for
/// events is busy, not idle). Closing the input, not the channel, lets the
/// connection end through its normal path.
final class IdleConnectionCloser: ChannelInboundHandler, Sendable {
    typealias InboundIn = LineFrame

    private let state: ConnectionState

    init(state: ConnectionState) {
        self.state = state
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if let idle = event as? IdleStateHandler.IdleStateEvent, idle == .read, state.inFlight == 0 {
            context.close(mode: .input, promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }
}

/// Marks the client gone the moment the channel goes inactive: the peer
/// closed its socket (EPOLLHUP) or the connection failed. A half-close by the
/// peer (`shutdown(SHUT_WR)`) is not this: such a client still reads.
///
/// Why it matters: a handler waiting for events (`tail --follow`) writes
/// nothing while the ledger is quiet, so without this it would learn that
/// its client left only at the next event. With it, `isClientGone` turns
/// true at once and the connection cancels its running handlers, also when
/// the end of input was read first (`ConnectionState.waitUntilGoneOrAnswered`).
final class ClientGoneObserver: ChannelInboundHandler, Sendable {
    typealias InboundIn = LineFrame

    private let state: ConnectionState

    init(state: ConnectionState) {
        self.state = state
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.markClientGone()
        context.fireChannelInactive()
    }
}
