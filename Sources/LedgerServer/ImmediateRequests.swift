import LedgerJSON
import LedgerWire
import Logging
import NIOCore
import Synchronization

/// A line numbered on the event loop, in arrival order: its serial orders
/// its response among the connection's others (see `ConnectionState`).
struct NumberedFrame: Sendable, Hashable {
    let serial: UInt64
    let frame: LineFrame
}

/// The fast path for the most common request: one client appending an event
/// and waiting for its answer. Such a request is decoded, checked and handed
/// to the handler's `immediate` work right here on the event loop, and its
/// answer is written from the event loop when the work completes: no task,
/// no hop through the cooperative pool, one hop in and one out. With 64
/// clients appending one event each, the pool's hops were a third of the
/// daemon's CPU and held commits at two thirds of their size in process.
///
/// Taken only when the request can be nothing else: an `append` line of at
/// most `lineBytesMax` bytes, on an idle connection (every earlier request
/// answered, so its response cannot overtake theirs) whose socket takes
/// writes, from a peer already identified under the current policy who holds
/// the role, while the server accepts requests, and that the handler
/// accepts. Every other line is numbered and passed on to the connection's
/// reader task, which serves it as before and explains whatever is wrong
/// with it.
final class ImmediateRequestHandler: ChannelInboundHandler {
    typealias InboundIn = LineFrame
    typealias InboundOut = NumberedFrame
    typealias OutboundOut = ByteBuffer

    /// Longer lines go to a task: decoding them would hold the event loop.
    static let lineBytesMax = 16 << 10

    private let state: ConnectionState
    private let connection: ConnectionContext
    private let peers: PeerSlot
    private let answers: AnswerInbox

    /// - Parameter answers: the inbox of the channel's event loop.
    init(state: ConnectionState, connection: ConnectionContext, peers: PeerSlot, answers: AnswerInbox) {
        self.state = state
        self.connection = connection
        self.peers = peers
        self.answers = answers
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        if case .line(let line) = frame, line.readableBytes <= Self.lineBytesMax, serve(line, context: context) {
            return
        }
        context.fireChannelRead(wrapInboundOut(NumberedFrame(serial: state.issueSerial(), frame: frame)))
    }

    /// Starts `line` as an immediate request; false if it is not one.
    private func serve(_ line: ByteBuffer, context: ChannelHandlerContext) -> Bool {
        // Cheap checks first: a busy connection (pipelined appends) or one
        // whose client does not read its answers (they would pile up here,
        // unlike a task's, which waits for the socket) goes to the reader.
        guard state.isIdle, context.channel.isWritable, Self.mentionsAppend(line), let peers = peers.cache,
              let request = try? WireRequest.decode(line: line.readableBytesView, limits: connection.limits),
              request.verb == "append", connection.isAcceptingRequests(),
              let required = VerbCatalog.requiredRole(for: request.verb)
        else { return false }
        let (policy, generation) = connection.policy()
        guard let peer = peers.cachedPeer(under: policy, generation: generation), peer.roles.permit(required),
              let work = connection.handler.immediate(request, peer: peer)
        else { return false }
        let bytes = line.readableBytes
        guard let serial = state.beginImmediate(bytes: bytes) else { return false }
        connection.countRequest(true)
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: context.eventLoop)
        let id = request.id
        let answers = self.answers
        work.start { answer in
            // Answered on the event loop, after this read returns: the
            // request's enqueue turn below has ended by then.
            answers.post {
                bound.value.handler.answer(answer(), id: id, serial: serial, bytes: bytes, context: bound.value.context)
            }
        }
        state.endEnqueueTurn(serial)
        return true
    }

    private func answer(
        _ result: Result<JSONValue, WireError>, id: JSONValue, serial: UInt64, bytes: Int, context: ChannelHandlerContext
    ) {
        let frame: WireFrame
        switch result {
        case .success(let value):
            frame = .result(id: id, value)
        case .failure(let error):
            if error.code == .internal {
                connection.logger.error("internal error", metadata: ["verb": "append", "error": "\(error.message)"])
            }
            frame = .error(id: id, error)
        }
        if !state.isClientGone {
            context.writeAndFlush(wrapOutboundOut(ByteBuffer(bytes: frame.encodedLine())), promise: nil)
        }
        state.finishImmediate(serial, bytes: bytes)
    }

    /// Whether the line holds `"append"` at all: other requests skip the
    /// decoding here (the reader task decodes them).
    /// (A plain loop: the standard library's generic `firstRange(of:)` made
    /// 64 clients' appends 15–25 % slower.)
    static func mentionsAppend(_ line: ByteBuffer) -> Bool {
        line.withUnsafeReadableBytes { raw in
            let pattern = appendBytes
            guard raw.count >= pattern.count else { return false }
            var i = 0
            while i <= raw.count - pattern.count {
                if raw[i] == 0x22, raw[i + 1] == 0x61 {  // `"a`
                    var j = 2
                    while j < pattern.count && raw[i + j] == pattern[j] { j += 1 }
                    if j == pattern.count { return true }
                }
                i += 1
            }
            return false
        }
    }

    private static let appendBytes: [UInt8] = Array(#""append""#.utf8)
}

/// Answers handed to one event loop from other threads, run there in the
/// order posted, each after every task queued on the loop before it was
/// posted: a commit that completes 30 appends on one loop wakes it once, not
/// 30 times, and the committer, whose next commit waits meanwhile, only
/// appends to a list.
final class AnswerInbox: Sendable {
    let eventLoop: any EventLoop
    private let pending = Mutex<(answers: [@Sendable () -> Void], scheduled: Bool)>(([], false))

    init(eventLoop: any EventLoop) {
        self.eventLoop = eventLoop
    }

    /// Runs `answer` on the event loop, after the answers posted before it.
    func post(_ answer: @escaping @Sendable () -> Void) {
        let schedule = pending.withLock { pending -> Bool in
            pending.answers.append(answer)
            defer { pending.scheduled = true }
            return !pending.scheduled
        }
        if schedule { eventLoop.execute { self.drain() } }
    }

    /// Queues the answers as tasks of their own, each behind whatever the
    /// loop was given before it: a frame a task wrote (`NIOAsyncChannel`
    /// hands it to the loop as a task) just before its turn ended and an
    /// answer's request was read may have been queued after this drain was,
    /// and the answer must not overtake it. Tasks queued from the loop need
    /// no wake-up. (This relies on a SwiftNIO detail, checked for 2.101:
    /// `NIOAsyncChannelOutboundWriter.write` from another thread returns once
    /// its `execute` is queued, and `execute` from any thread feeds one FIFO
    /// queue. Check again when upgrading NIO; `anAnswerAtOnceNeverOvertakes…`
    /// tests it.)
    private func drain() {
        let answers = pending.withLock { pending -> [@Sendable () -> Void] in
            pending.scheduled = false
            defer { pending.answers = [] }
            return pending.answers
        }
        for answer in answers { eventLoop.execute(answer) }
    }
}
