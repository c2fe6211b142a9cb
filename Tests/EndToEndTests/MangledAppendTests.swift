import Foundation
import Glibc
@testable import LedgerDemo
import LedgerJSON
import Testing

/// Hostile input on the daemon's busiest path: mangled single-event appends,
/// sent one at a time as a client appending event by event does, so most are
/// read on an idle connection, where the event loop serves a plain append
/// itself. Each line gets exactly one answer; what was stored is exactly
/// what was answered with a seq; the ledger verifies afterwards.
@Suite struct MangledAppendTests {
    /// A blocking line client on a Unix socket (bytes as they are).
    final class LineSocket {
        let fd: Int32
        private var buffer: [UInt8] = []

        init(path: String) throws {
            fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var address = sockaddr_un()
            address.sun_family = sa_family_t(AF_UNIX)
            withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            guard connected == 0 else { throw HarnessError("connect: errno \(errno)") }
        }

        deinit { close(fd) }

        func send(_ bytes: [UInt8]) throws {
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { Glibc.send(fd, $0.baseAddress! + offset, $0.count - offset, Int32(MSG_NOSIGNAL)) }
                guard n > 0 else { throw HarnessError("send: errno \(errno)") }
                offset += n
            }
        }

        func readLine() throws -> [UInt8] {
            while true {
                if let newline = buffer.firstIndex(of: UInt8(ascii: "\n")) {
                    defer { buffer.removeSubrange(...newline) }
                    return Array(buffer[..<newline])
                }
                var chunk = [UInt8](repeating: 0, count: 65_536)
                let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                guard n > 0 else { throw HarnessError("the daemon closed the connection") }
                buffer += chunk[..<n]
            }
        }
    }

    /// One of several ways to spoil a valid request line.
    static func mangle(_ line: [UInt8], using random: inout DemoRandom) -> [UInt8] {
        var bytes = line
        switch Int.random(in: 0..<8, using: &random) {
        case 0:  // one byte changed
            bytes[Int.random(in: 0..<bytes.count, using: &random)] = UInt8.random(in: 0x20...0x7E, using: &random)
        case 1:  // cut short
            bytes.removeLast(Int.random(in: 1..<bytes.count, using: &random))
        case 2:  // a piece cut out of the middle
            let from = Int.random(in: 0..<bytes.count, using: &random)
            bytes.removeSubrange(from..<min(bytes.count, from + Int.random(in: 1...20, using: &random)))
        case 3:  // a value of another type
            let text = String(decoding: bytes, as: UTF8.self)
            let swaps = [(#""atomic":false"#, #""atomic":"no""#), (#""events":["#, #""events":[1,"#),
                         (#""occurredOn":"2024-03-14""#, #""occurredOn":20240314"#), (#""id":"#, #""id":{},"x":"#)]
            let (from, to) = swaps[Int.random(in: 0..<swaps.count, using: &random)]
            bytes = Array(text.replacingOccurrences(of: from, with: to).utf8)
        case 4:  // bytes that are not UTF-8
            bytes.insert(contentsOf: [0xC3, 0x28], at: Int.random(in: 0..<bytes.count, using: &random))
        case 5:  // a long text field (within the line limit)
            let text = String(decoding: bytes, as: UTF8.self)
            bytes = Array(text.replacingOccurrences(of: "Nhiệm vụ", with: String(repeating: "Nhiệm vụ ", count: 400)).utf8)
        case 6:  // an argument the verb does not take
            let text = String(decoding: bytes, as: UTF8.self)
            bytes = Array(text.replacingOccurrences(of: #""atomic":"#, with: #""append":1,"atomic":"#).utf8)
        default:  // left as it is
            break
        }
        bytes.removeAll { $0 == UInt8(ascii: "\n") }
        return bytes
    }

    @Test func eachMangledAppendGetsOneAnswerAndTheLedgerStillVerifies() throws {
        let daemon = try DaemonProcess()
        defer { _ = daemon.stop() }
        #expect(try daemon.append(setupEvents).status == 0)
        let client = try LineSocket(path: daemon.socket)
        var random = DemoRandom(seed: 20_261_130)
        var stored = setupEvents.count
        var refused = 0
        for n in 0..<600 {
            let request: JSONValue = ["id": .int(Int64(n)), "verb": "append",
                                      "args": ["events": [task(n)], "atomic": false]]
            var line = Self.mangle(Array(request.canonicalString.utf8), using: &random)
            if line.allSatisfy({ $0 == UInt8(ascii: " ") }) { line = Array(request.canonicalString.utf8) }
            try client.send(line + [UInt8(ascii: "\n")])
            let answer = try JSONParser.parse(try client.readLine())
            #expect(answer["result"] != nil || answer["error"] != nil, "one final answer: \(answer)")
            for outcome in answer["result"]?["results"]?.arrayValue ?? [] {
                // One outcome per event sent (a mangled line may hold two).
                if outcome["seq"] != nil { stored += 1 } else { refused += 1 }
                #expect(outcome["seq"] != nil || outcome["error"]?["code"] != nil, "\(outcome)")
            }
        }
        #expect(refused + stored > setupEvents.count, "some lines were appends the ledger took or refused")
        let status = try daemon.ctl(["status", "--json"]).json()
        #expect(status["size"]?.intValue == Int64(stored), "what was stored is what was answered with a seq")
        // About 200 of the 600 here (the rest are no plain appends, or come
        // right after a task's answer, before its turn has ended): a margin.
        #expect((status["requestsOnEventLoop"]?.intValue ?? 0) > 50, "appends served by the event loop")
        let verify = try daemon.ctl(["verify"])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
    }
}

/// The demo generator's SplitMix64, as a generator for `random(in:using:)`.
extension DemoRandom: RandomNumberGenerator {}
