@testable import LedgerServer
import NIOCore
import NIOEmbedded
import Testing

/// Each line the decoder hands on owns its bytes: a short request read
/// after a long blank line holds a few bytes, not the receive buffer.
@Suite struct LineFrameDecoderTests {
    @Test func aLineOwnsOnlyItsOwnBytes() throws {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(LineFrameDecoder(lineBytesMax: 2 << 20)))
        var input = channel.allocator.buffer(capacity: 1 << 20 + 64)
        input.writeRepeatingByte(UInt8(ascii: " "), count: 1 << 20)
        input.writeString("\n{\"id\":1,\"verb\":\"ping\"}\n")
        try channel.writeInbound(input)
        let frame = try #require(try channel.readInbound(as: LineFrame.self))
        guard case .line(let line) = frame else {
            Issue.record("not a line: \(frame)")
            return
        }
        #expect(String(buffer: line) == #"{"id":1,"verb":"ping"}"#)
        #expect(frame.bytes == line.readableBytes)
        #expect(line.storageCapacity < 1024, "the line keeps \(line.storageCapacity) bytes of storage alive")
        #expect(try channel.readInbound(as: LineFrame.self) == nil, "the blank line is no request")
        _ = try channel.finish()
    }
}
