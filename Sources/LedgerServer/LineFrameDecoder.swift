import NIOCore

/// One unit of input from a connection.
enum LineFrame: Sendable, Hashable {
    /// A complete line, newline (and one trailing carriage return) removed.
    case line(ByteBuffer)
    /// A line longer than the limit; its bytes were dropped. Emitted once,
    /// as soon as the limit is crossed, so the client hears about it without
    /// the server buffering the rest.
    case tooLong(bytesMax: Int)

    /// The bytes this frame holds while its request is served.
    var bytes: Int {
        switch self {
        case .line(let buffer): return buffer.readableBytes
        case .tooLong: return 0
        }
    }
}

/// Splits the byte stream into newline-terminated lines with a length limit.
///
/// Why not swift-nio-extras' `LineBasedFrameDecoder`: it closes the
/// connection on an overlong line. The protocol promises the connection
/// survives: answer `line-too-long`, skip to the next newline, carry on.
/// Blank (or whitespace-only) lines are skipped, so a person at `socat` can
/// press Enter freely. A final line without a newline at EOF still counts.
struct LineFrameDecoder: ByteToMessageDecoder {
    typealias InboundOut = LineFrame

    let lineBytesMax: Int
    /// True while skipping the rest of an overlong line.
    private var discarding = false
    /// Bytes at the front of the buffer already searched for a newline, so a
    /// line that arrives in many reads is scanned once, not once per read.
    private var scannedBytes = 0

    init(lineBytesMax: Int) {
        precondition(lineBytesMax > 0, "lineBytesMax must be positive")
        self.lineBytesMax = lineBytesMax
    }

    mutating func decode(context: ChannelHandlerContext, buffer: inout ByteBuffer) throws -> DecodingState {
        let view = buffer.readableBytesView
        let searchStart = view.index(view.startIndex, offsetBy: scannedBytes)
        guard let newline = view[searchStart...].firstIndex(of: UInt8(ascii: "\n")) else {
            if discarding {
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                scannedBytes = 0
            } else if buffer.readableBytes > lineBytesMax {
                buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
                scannedBytes = 0
                discarding = true
                context.fireChannelRead(wrapInboundOut(.tooLong(bytesMax: lineBytesMax)))
            } else {
                scannedBytes = buffer.readableBytes
            }
            return .needMoreData
        }
        let length = newline - view.startIndex
        scannedBytes = 0
        if discarding {
            buffer.moveReaderIndex(forwardBy: length + 1)
            discarding = false
            return .continue
        }
        guard var line = buffer.readSlice(length: length) else { return .needMoreData }
        buffer.moveReaderIndex(forwardBy: 1)
        if line.readableBytesView.last == UInt8(ascii: "\r") {
            line.moveWriterIndex(to: line.writerIndex - 1)
        }
        if line.readableBytes > lineBytesMax {
            context.fireChannelRead(wrapInboundOut(.tooLong(bytesMax: lineBytesMax)))
        } else if !Self.isBlank(line) {
            context.fireChannelRead(wrapInboundOut(.line(Self.ownCopy(line, allocator: context.channel.allocator))))
        }
        return .continue
    }

    /// The line in a buffer of its own size. A slice shares the receive
    /// buffer's storage and keeps all of it alive: a short request read
    /// after a megabyte of blank line would hold the megabyte while the
    /// connection's byte budget (`ConnectionState`) counted a few bytes.
    static func ownCopy(_ line: ByteBuffer, allocator: ByteBufferAllocator) -> ByteBuffer {
        var copy = allocator.buffer(capacity: line.readableBytes)
        copy.writeImmutableBuffer(line)
        return copy
    }

    mutating func decodeLast(context: ChannelHandlerContext, buffer: inout ByteBuffer, seenEOF: Bool) throws -> DecodingState {
        while try decode(context: context, buffer: &buffer) == .continue {}
        // What is left has no newline: a last unterminated line.
        if !discarding, let line = buffer.readSlice(length: buffer.readableBytes) {
            if line.readableBytes > 0, !Self.isBlank(line) {
                context.fireChannelRead(wrapInboundOut(.line(Self.ownCopy(line, allocator: context.channel.allocator))))
            }
        }
        buffer.moveReaderIndex(forwardBy: buffer.readableBytes)
        discarding = false
        scannedBytes = 0
        return .needMoreData
    }

    private static func isBlank(_ line: ByteBuffer) -> Bool {
        line.readableBytesView.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
    }
}
