#if canImport(Glibc)
import Glibc
#endif
import Foundation
import LedgerClient
import LedgerWire

/// Closed-loop clients multiplexed on one thread with `poll(2)`, as a load
/// generator such as wrk or memtier drives many connections from few threads:
/// each connection sends one request line, waits for its answer, then sends the
/// next. The server sees the same thing as from `clients` blocking clients on
/// their own threads, but on a two-core machine the load generator no longer
/// takes the cores away from the server with 64 threads to schedule.
///
/// Requests are encoded before the clock starts (a load generator's data is
/// ready); each answer is decoded as a frame and checked by `accept`.
struct MultiplexedClients {
    /// `lines[c]`: the request lines connection `c` sends, in order.
    let lines: [[[UInt8]]]
    let socketPath: String

    /// Runs every connection's requests; returns the rate (answers a second),
    /// the latencies in milliseconds, and how many answers `accept` refused.
    func run(accept: (WireFrame) -> Bool) throws -> (rate: Double, latencies: [Double], failed: Int) {
        var connections = try lines.map { try Connection(socketPath: socketPath, requests: $0) }
        defer { for c in connections { Glibc.close(c.fd) } }
        var polled = connections.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
        var latencies: [Double] = []
        latencies.reserveCapacity(lines.reduce(0) { $0 + $1.count })
        var failed = 0
        let started = DispatchTime.now().uptimeNanoseconds
        for i in connections.indices { try connections[i].sendNext() }
        var open = connections.filter { !$0.finished }.count
        while open > 0 {
            for i in polled.indices { polled[i].events = Int16(connections[i].finished ? 0 : POLLIN) }
            let ready = poll(&polled, nfds_t(polled.count), 10_000)
            if ready < 0 && errno == EINTR { continue }
            guard ready > 0 else { throw BenchError("poll: \(ready == 0 ? "no answer in 10 s" : String(cString: strerror(errno)))") }
            for i in polled.indices where polled[i].revents != 0 {
                try connections[i].readAvailable()
                while let (frame, sentAt) = try connections[i].nextAnswer() {
                    latencies.append(Double(DispatchTime.now().uptimeNanoseconds - sentAt) / 1e6)
                    if !accept(frame) { failed += 1 }
                    try connections[i].sendNext()
                }
                if connections[i].finished { open -= 1 }
            }
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        return (Double(latencies.count) / seconds, latencies, failed)
    }

    /// One connection: blocking writes (a request line is far smaller than the
    /// socket buffer), reads only when poll says there is something.
    private struct Connection {
        let fd: Int32
        let requests: [[UInt8]]
        var next = 0
        var answered = 0
        var sentAt: UInt64 = 0
        var buffer: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)

        var finished: Bool { answered == requests.count }

        init(socketPath: String, requests: [[UInt8]]) throws {
            self.requests = requests
            fd = try LedgerConnection.connect(to: socketPath)
        }

        mutating func sendNext() throws {
            guard next < requests.count else { return }
            sentAt = DispatchTime.now().uptimeNanoseconds
            try requests[next].withUnsafeBytes { raw in
                var offset = 0
                while offset < raw.count {
                    let n = write(fd, raw.baseAddress! + offset, raw.count - offset)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { throw BenchError("write: \(String(cString: strerror(errno)))") }
                    offset += n
                }
            }
            next += 1
        }

        mutating func readAvailable() throws {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { return }
            guard n > 0 else { throw BenchError(n == 0 ? "the server closed a connection" : "read: \(String(cString: strerror(errno)))") }
            buffer.append(contentsOf: chunk[0..<n])
        }

        /// The next whole answer line, decoded, with the time its request was sent.
        mutating func nextAnswer() throws -> (WireFrame, UInt64)? {
            guard let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) else { return nil }
            let frame = try WireFrame.decode(line: buffer[0..<newline])
            buffer.removeSubrange(0...newline)
            guard frame.isFinal else { return try nextAnswer() }
            answered += 1
            return (frame, sentAt)
        }
    }
}
