#if canImport(Glibc)
import Glibc
#endif
public import LedgerJSON
public import LedgerWire

/// One request's final answer, for the pipelined API.
public struct WireResponse: Sendable, Hashable {
    public let id: Int64
    public let result: Result<JSONValue, WireError>
}

/// A blocking connection to ledgerd over its Unix socket.
///
/// Plain POSIX calls, no event loop: ledgerctl does one thing at a time, and
/// a blocking round trip is about half the latency of a NIO client here.
///
/// Two ways to talk:
/// - `call(verb:args:onItem:onProgress:)`: one request, wait for its answer.
/// - `send(verb:args:)` / `receive(...)`: pipelining for bulk work. The
///   daemon answers in request order. Keep at most `window` requests
///   unanswered (read while you write): the daemon stops reading a
///   connection that has too many in flight, and a client that only writes
///   would then wait on a daemon that waits on it.
///
/// Not thread-safe: one connection per thread. After any error other than
/// `.server`, the connection is unusable (`isBroken`): open a new one.
public final class LedgerConnection {
    /// A window that stays under the daemon's default in-flight limit (128)
    /// and keeps enough appends in flight to fill a group commit.
    public static let defaultWindow = 64
    /// Buffered request bytes are flushed at this size even without a receive.
    static let writeBufferBytesMax = 64 * 1024

    public let socketPath: String
    /// Limits on response lines (a report can be large).
    public var limits = WireLimits.responses
    public private(set) var isBroken = false

    private var fd: Int32
    private var readBuffer: [UInt8] = []
    /// recv(2)'s landing area, reused so a read does not allocate and zero 64 KiB.
    private var chunk = [UInt8](repeating: 0, count: 64 * 1024)
    private var readOffset = 0
    private var writeBuffer: [UInt8] = []
    private var nextID: Int64 = 1
    /// Ids sent and not yet answered, oldest first.
    private var pendingIDs: [Int64] = []
    private var pendingHead = 0

    /// Connects. Errors: `.unreachable` (no daemon), `.permissionDenied`
    /// (the socket's mode or group excludes us), `.usage` (path too long).
    ///
    /// - Parameter timeout: the longest wait for any one read or write
    ///   (`.timedOut` after it); nil waits forever, as `tail --follow` must.
    public init(socketPath: String, timeout: Duration? = nil) throws(ClientError) {
        self.socketPath = socketPath
        let fd = try Self.connect(to: socketPath)
        if let timeout {
            let (seconds, attoseconds) = timeout.components
            var value = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
            let size = socklen_t(MemoryLayout<timeval>.size)
            _ = setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &value, size)
            _ = setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &value, size)
        }
        self.fd = fd
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }

    /// A blocking stream socket connected to `socketPath` (close-on-exec).
    /// Errors as `init(socketPath:timeout:)`.
    public static func connect(to socketPath: String) throws(ClientError) -> Int32 {
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw ClientError.io(operation: "socket", errno: errno) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = Array(socketPath.utf8)
        guard !path.isEmpty, path.count < MemoryLayout.size(ofValue: address.sun_path) else {
            Glibc.close(fd)
            throw ClientError.usage("socket path must be 1 to 107 bytes: \(socketPath)")
        }
        withUnsafeMutableBytes(of: &address.sun_path) { $0.copyBytes(from: path) }
        var status: Int32
        repeat {
            status = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size))
                }
            }
        } while status != 0 && errno == EINTR
        guard status == 0 else {
            let code = errno
            Glibc.close(fd)
            throw ClientError.connectFailed(socketPath: socketPath, errno: code)
        }
        return fd
    }

    /// Closes the connection; later calls fail.
    public func close() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
        isBroken = true
    }

    // MARK: One call

    /// Sends one request and waits for its final frame, passing stream frames
    /// to the callbacks as they arrive. Returns the result; throws `.server`
    /// for an error frame. A callback that throws abandons the response and
    /// breaks the connection (its remaining frames are unread).
    public func call(
        verb: String, args: [String: JSONValue] = [:],
        onItem: (JSONValue) throws(ClientError) -> Void = { _ in },
        onProgress: (_ done: Int64, _ total: Int64?) -> Void = { _, _ in }
    ) throws(ClientError) -> JSONValue {
        try callOnce(verb: verb, args: args, onItem: onItem, canonicalItems: false, onCanonicalItem: { _ in },
                     onProgress: onProgress)
    }

    /// One request on an otherwise idle connection, answered in full.
    private func callOnce(
        verb: String, args: [String: JSONValue],
        onItem: (JSONValue) throws(ClientError) -> Void,
        canonicalItems: Bool,
        onCanonicalItem: (ArraySlice<UInt8>) throws(ClientError) -> Void,
        onProgress: (_ done: Int64, _ total: Int64?) -> Void
    ) throws(ClientError) -> JSONValue {
        guard pendingCount == 0 else {
            throw ClientError.usage("call() while \(pendingCount) pipelined requests are unanswered; receive them first")
        }
        try send(verb: verb, args: args)
        switch try receive(onItem: onItem, canonicalItems: canonicalItems, onCanonicalItem: onCanonicalItem,
                           onProgress: onProgress).result {
        case .success(let value): return value
        case .failure(let error): throw ClientError.server(error)
        }
    }

    // MARK: Pipelining

    /// The number of requests sent and not yet answered.
    public var pendingCount: Int { pendingIDs.count - pendingHead }

    /// Queues a request and returns its id. Bytes go out when the buffer is
    /// full, on `flush()`, or on `receive()`.
    @discardableResult
    public func send(verb: String, args: [String: JSONValue] = [:]) throws(ClientError) -> Int64 {
        try checkUsable()
        let id = nextID
        nextID += 1
        writeBuffer.append(contentsOf: WireRequest(id: .int(id), verb: verb, args: args).encodedLine())
        pendingIDs.append(id)
        if writeBuffer.count >= Self.writeBufferBytesMax { try flush() }
        return id
    }

    /// Writes all queued request bytes.
    public func flush() throws(ClientError) {
        try checkUsable()
        var offset = 0
        while offset < writeBuffer.count {
            let written = writeBuffer.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                writeBuffer.removeAll()
                if code == EAGAIN || code == EWOULDBLOCK {
                    isBroken = true
                    throw ClientError.timedOut(operation: "send")
                }
                // The daemon may have said why before closing (too-many-connections).
                if code == EPIPE || code == ECONNRESET, let reason = try? readFinalErrorAfterClose() {
                    isBroken = true
                    throw ClientError.server(reason)
                }
                isBroken = true
                throw ClientError.io(operation: "send", errno: code)
            }
            offset += written
        }
        writeBuffer.removeAll(keepingCapacity: true)
    }

    /// Waits for the oldest unanswered request's final frame, passing its
    /// stream frames to the callbacks. A daemon error is a `.failure` here,
    /// not a throw: in a bulk append one refused event is not the end.
    public func receive(
        onItem: (JSONValue) throws(ClientError) -> Void = { _ in },
        onProgress: (_ done: Int64, _ total: Int64?) -> Void = { _, _ in }
    ) throws(ClientError) -> WireResponse {
        try receive(onItem: onItem, canonicalItems: false, onCanonicalItem: { _ in }, onProgress: onProgress)
    }

    /// As `call`, for a stream of JSON objects kept as bytes (`export`):
    /// `onCanonicalItem` gets each item's canonical JSON. An item the daemon
    /// sent in canonical form is passed on as it came, checked in one pass
    /// (`CanonicalScanner`) and never parsed; any other is parsed and
    /// re-encoded first. The bytes are valid only during the call.
    public func callCanonical(
        verb: String, args: [String: JSONValue] = [:],
        onCanonicalItem: (ArraySlice<UInt8>) throws(ClientError) -> Void,
        onProgress: (_ done: Int64, _ total: Int64?) -> Void = { _, _ in }
    ) throws(ClientError) -> JSONValue {
        try callOnce(verb: verb, args: args, onItem: { _ in }, canonicalItems: true, onCanonicalItem: onCanonicalItem,
                     onProgress: onProgress)
    }

    private func receive(
        onItem: (JSONValue) throws(ClientError) -> Void,
        canonicalItems: Bool,
        onCanonicalItem: (ArraySlice<UInt8>) throws(ClientError) -> Void,
        onProgress: (_ done: Int64, _ total: Int64?) -> Void
    ) throws(ClientError) -> WireResponse {
        guard pendingCount > 0 else { throw ClientError.usage("receive() with no request pending") }
        try flush()
        let expected = pendingIDs[pendingHead]
        let itemPrefix = Array(#"{"id":\#(expected),"item":"#.utf8)
        while true {
            let line = try readLine()
            if canonicalItems, let item = Self.canonicalItem(in: line, prefix: itemPrefix) {
                do {
                    try onCanonicalItem(item)
                } catch {
                    close()
                    throw error
                }
                continue
            }
            let frame = try decodeFrame(line)
            // An error the daemon could not attach to a request (id null) is
            // about the oldest one, or the whole connection.
            if case .error(.null, let error) = frame {
                if error.code == .tooManyConnections { isBroken = true }
                return finish(expected, .failure(error))
            }
            guard frame.id == .int(expected) else {
                isBroken = true
                throw ClientError.protocolError("expected a response to request \(expected), got one for \(frame.id)")
            }
            switch frame {
            case .item(_, let value):
                do {
                    if canonicalItems {
                        try onCanonicalItem(ArraySlice(CanonicalJSON.encode(value)))
                    } else {
                        try onItem(value)
                    }
                } catch {
                    close()
                    throw error
                }
            case .canonicalItem:
                // Decoding a line gives `.item`; this case only exists on the sending side.
                isBroken = true
                throw ClientError.protocolError("a canonical item frame came out of the decoder")
            case .progress(_, let done, let total):
                onProgress(done, total)
            case .result(_, let value):
                return finish(expected, .success(value))
            case .error(_, let error):
                return finish(expected, .failure(error))
            }
        }
    }

    /// Sends `requests` keeping at most `window` unanswered, reporting each
    /// final answer in order with its index. Stream frames are ignored.
    public func pipeline(
        _ requests: some Sequence<(verb: String, args: [String: JSONValue])>, window: Int = defaultWindow,
        onResponse: (_ index: Int, _ result: Result<JSONValue, WireError>) throws(ClientError) -> Void
    ) throws(ClientError) {
        precondition(window > 0, "window must be positive")
        var answered = 0
        for request in requests {
            if pendingCount >= window {
                let response = try receive()
                try onResponse(answered, response.result)
                answered += 1
            }
            try send(verb: request.verb, args: request.args)
        }
        while pendingCount > 0 {
            let response = try receive()
            try onResponse(answered, response.result)
            answered += 1
        }
    }

    /// Half-closes: tells the daemon no more requests come (answers still do).
    public func finishSending() throws(ClientError) {
        try flush()
        _ = shutdown(fd, Int32(SHUT_WR))
    }

    // MARK: Reading

    private func finish(_ id: Int64, _ result: Result<JSONValue, WireError>) -> WireResponse {
        pendingHead += 1
        if pendingHead == pendingIDs.count {
            pendingIDs.removeAll(keepingCapacity: true)
            pendingHead = 0
        }
        return WireResponse(id: id, result: result)
    }

    private func checkUsable() throws(ClientError) {
        guard !isBroken, fd >= 0 else {
            throw ClientError.protocolError("the connection was closed after an earlier failure; open a new one")
        }
    }

    /// The item of `{"id":N,"item":…}` (with `prefix` = `{"id":N,"item":`)
    /// when it is a canonical JSON object the scanner vouches for; nil
    /// otherwise (the line is then decoded the general way).
    static func canonicalItem(in line: ArraySlice<UInt8>, prefix: [UInt8]) -> ArraySlice<UInt8>? {
        guard line.count > prefix.count + 1, line.starts(with: prefix), line.last == UInt8(ascii: "}") else { return nil }
        let item = line[(line.startIndex + prefix.count)..<(line.endIndex - 1)]
        let vouched = item.withUnsafeBytes { CanonicalScanner.topLevelMembers($0) != nil }
        return vouched ? item : nil
    }

    private func readFrame() throws(ClientError) -> WireFrame {
        try decodeFrame(try readLine())
    }

    private func decodeFrame(_ line: ArraySlice<UInt8>) throws(ClientError) -> WireFrame {
        do {
            return try WireFrame.decode(line: line, limits: limits)
        } catch {
            isBroken = true
            throw ClientError.protocolError("bad response line: \(error.message)")
        }
    }

    /// After a failed write: the daemon may have left an error line behind.
    private func readFinalErrorAfterClose() throws(ClientError) -> WireError? {
        if case .error(_, let error) = try readFrame() { return error }
        return nil
    }

    /// The next line without its newline.
    private func readLine() throws(ClientError) -> ArraySlice<UInt8> {
        var searchFrom = readOffset
        while true {
            if let newline = readBuffer[searchFrom...].firstIndex(of: UInt8(ascii: "\n")) {
                let line = readBuffer[readOffset..<newline]
                readOffset = newline + 1
                return line
            }
            searchFrom = readBuffer.count
            guard readBuffer.count - readOffset <= limits.lineBytesMax else {
                isBroken = true
                throw ClientError.protocolError("a response line is longer than \(limits.lineBytesMax) bytes")
            }
            // Compact before reading more, so the buffer holds one line at most.
            if readOffset > 0 {
                readBuffer.removeFirst(readOffset)
                searchFrom -= readOffset
                readOffset = 0
            }
            guard try fill() else {
                isBroken = true
                throw ClientError.protocolError(
                    readBuffer.isEmpty
                        ? "the daemon closed the connection without answering (is it shutting down?)"
                        : "the daemon closed the connection in the middle of a response")
            }
        }
    }

    /// Reads what is available; false at end of stream.
    private func fill() throws(ClientError) -> Bool {
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == ECONNRESET { return false }
                isBroken = true
                if code == EAGAIN || code == EWOULDBLOCK { throw ClientError.timedOut(operation: "waiting for the daemon's answer") }
                throw ClientError.io(operation: "recv", errno: code)
            }
            if count == 0 { return false }
            readBuffer.append(contentsOf: chunk[0..<count])
            return true
        }
    }
}
