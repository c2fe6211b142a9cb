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
