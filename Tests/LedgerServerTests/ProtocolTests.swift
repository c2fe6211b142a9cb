import Foundation
import LedgerClient
import LedgerJSON
import LedgerServer
import LedgerWire
import Testing

@Suite("Protocol over a real socket")
struct ProtocolTests {
    struct Malformed: Sendable, CustomTestStringConvertible {
        let name: String
        let line: [UInt8]
        let code: WireErrorCode
        let id: JSONValue
        var testDescription: String { name }
    }

    static let malformed: [Malformed] = [
        Malformed(name: "not JSON", line: Array("hello".utf8), code: .malformedJSON, id: nil),
        Malformed(name: "truncated JSON", line: Array(#"{"id":1,"verb":"#.utf8), code: .malformedJSON, id: nil),
        Malformed(name: "invalid UTF-8", line: Array(#"{"id":1,"verb":"st"#.utf8) + [0xC3, 0x28] + Array(#""}"#.utf8), code: .invalidUTF8, id: nil),
        Malformed(name: "too deep", line: Array((String(repeating: "[", count: 100) + String(repeating: "]", count: 100)).utf8), code: .tooDeep, id: nil),
        Malformed(name: "not an object", line: Array("[1,2,3]".utf8), code: .badRequest, id: nil),
        Malformed(name: "missing id", line: Array(#"{"verb":"status"}"#.utf8), code: .badRequest, id: nil),
        Malformed(name: "object id", line: Array(#"{"id":{},"verb":"status"}"#.utf8), code: .badRequest, id: nil),
        Malformed(name: "missing verb", line: Array(#"{"id":5}"#.utf8), code: .badRequest, id: 5),
        Malformed(name: "args not an object", line: Array(#"{"id":5,"verb":"status","args":"x"}"#.utf8), code: .badRequest, id: 5),
        Malformed(name: "unknown verb", line: Array(#"{"id":"u","verb":"launch-missiles"}"#.utf8), code: .unknownVerb, id: "u"),
        Malformed(name: "ping with an argument", line: Array(#"{"id":9,"verb":"ping","args":{"x":1}}"#.utf8), code: .badArguments, id: 9),
        Malformed(name: "wrong argument type", line: Array(#"{"id":6,"verb":"history","args":{"limit":"ten"}}"#.utf8), code: .badArguments, id: 6),
    ]

    @Test("a malformed request gets its code and the connection keeps working", arguments: malformed)
    func malformedRequest(_ testCase: Malformed) async throws {
        try await withServer { _, path in
            try await onThread {
                let client = try RawClient(path: path)
                try client.send(testCase.line + [UInt8(ascii: "\n")])
                let frame = try client.readFrame()
                #expect(frame.errorCode == testCase.code)
                #expect(frame.id == testCase.id)
                #expect(frame.isFinal)
                let good = try client.roundTrip(#"{"id":99,"verb":"status"}"#)
                #expect(good == .result(id: 99, ["size": 0, "rootHash": "00"]))
            }
        }
    }

    @Test func aBadClientDoesNotDisturbAnother() async throws {
        try await withServer { _, path in
            try await onThread {
                let good = try RawClient(path: path)
                let bad = try RawClient(path: path)
                try bad.send([0xFF, 0x00, 0x7B, 0x0A])
                #expect(try bad.readFrame().errorCode == .invalidUTF8)
                bad.shutdownWrite()
                #expect(try good.roundTrip(#"{"id":1,"verb":"status"}"#).resultValue != nil)
            }
        }
    }

    @Test func lineTooLongIsSkippedToTheNextNewline() async throws {
        try await withServer(lineBytesMax: 1024) { _, path in
            try await onThread {
                let client = try RawClient(path: path)
                // Sent in pieces, so the decoder sees the limit crossed before any newline.
                let long = #"{"id":1,"verb":"status","args":{"pad":""# + String(repeating: "x", count: 5000) + #""}}"#
                let bytes = Array(long.utf8)
                for start in stride(from: 0, to: bytes.count, by: 700) {
                    try client.send(Array(bytes[start..<min(start + 700, bytes.count)]))
                }
                try client.send("\n" + #"{"id":2,"verb":"status"}"# + "\n")
                let first = try client.readFrame()
                #expect(first.errorCode == .lineTooLong)
                #expect(first.id == .null)
                #expect(try client.readFrame().id == 2)
                // A line exactly at the limit is served.
                let padding = 1024 - #"{"id":3,"verb":"status","args":{"p":""}}"#.utf8.count
                let exact = #"{"id":3,"verb":"status","args":{"p":""# + String(repeating: "y", count: padding) + #""}}"#
                #expect(exact.utf8.count == 1024)
                #expect(try client.roundTrip(exact).id == 3)
            }
        }
    }

    @Test func blankLinesAndCRLFAreTolerated() async throws {
        try await withServer { _, path in
            try await onThread {
                let client = try RawClient(path: path)
                try client.send("\n  \n" + #"{"id":1,"verb":"status"}"# + "\r\n")
                #expect(try client.readFrame().id == 1)
            }
        }
    }

    @Test func pipelinedRequestsAreAnsweredInOrder() async throws {
        let gates = Gates()
        try await withServer(handler: TestHandler(gates: gates)) { _, path in
            try await onThread {
                let client = try RawClient(path: path)
                // Request 1 waits on a gate; 2…20 finish first but must be answered after it.
                var lines = #"{"id":1,"verb":"history","args":{"gate":"g"}}"# + "\n"
                for id in 2...20 {
                    lines += id == 10 ? #"{"id":10,"verb":"export","args":{"count":2}}"# + "\n" : #"{"id":\#(id),"verb":"status"}"# + "\n"
                }
                try client.send(lines)
                while gates.waitingCount("g") == 0 { usleep(1000) }
                gates.open("g")
                var ids: [JSONValue] = []
                var kinds: [String] = []
                while ids.filter({ _ in true }).count < 24 {
                    let frame = try client.readFrame()
                    ids.append(frame.id)
                    switch frame {
                    case .item: kinds.append("item")
                    case .progress: kinds.append("progress")
                    default: kinds.append("final")
                    }
                }
                let expected: [JSONValue] = (1...9).map { .int($0) } + [10, 10, 10, 10, 10] + (11...20).map { .int($0) }
                #expect(ids == expected)
                #expect(Array(kinds[9..<14]) == ["item", "progress", "item", "progress", "final"])
            }
        }
    }

    @Test func streamingThroughTheClient() async throws {
        try await withServer { _, path in
            try await onThread {
                let connection = try LedgerConnection(socketPath: path)
                nonisolated(unsafe) var items: [JSONValue] = []
                nonisolated(unsafe) var progress: [Int64] = []
                let result = try connection.call(
                    verb: "export", args: ["count": 100], onItem: { items.append($0) }, onProgress: { done, _ in progress.append(done) })
                #expect(result == ["exported": 100])
                #expect(items.count == 100)
                #expect(items.last == ["seq": 100])
                #expect(progress == Array(1...100))
                #expect(try connection.call(verb: "status")["size"] == 0)
            }
        }
    }

    @Test func clientPipelineWindow() async throws {
        try await withServer(requestsInFlightMax: 4) { _, path in
            try await onThread {
                let connection = try LedgerConnection(socketPath: path)
                let requests = (0..<500).map { (verb: "append", args: ["n": JSONValue.int(Int64($0))]) }
                nonisolated(unsafe) var seen: [Int64] = []
                try connection.pipeline(requests, window: 16) { index, result in
                    let value = try? result.get()
                    #expect(value?["args"]?["n"]?.intValue == Int64(index))
                    seen.append(Int64(index))
                }
                #expect(seen == (0..<500).map { Int64($0) })
                #expect(connection.pendingCount == 0)
            }
        }
    }

    @Test func concurrentClients() async throws {
        try await withServer(connectionsMax: 32) { server, path in
            try await withThrowingTaskGroup(of: Int.self) { group in
                for client in 0..<12 {
                    group.addTask {
                        try await onThread {
                            let connection = try LedgerConnection(socketPath: path)
                            var answered = 0
                            for call in 0..<40 {
                                let result = try connection.call(verb: "append", args: ["client": .int(Int64(client)), "call": .int(Int64(call))])
                                if result["args"]?["call"]?.intValue == Int64(call) { answered += 1 }
                            }
                            return answered
                        }
                    }
                }
                var total = 0
                for try await answered in group { total += answered }
                #expect(total == 12 * 40)
            }
            #expect(server.statistics.requests >= 480)
        }
    }

    @Test func tooManyConnections() async throws {
        try await withServer(connectionsMax: 2) { server, path in
            try await onThread {
                let first = try RawClient(path: path)
                let second = try RawClient(path: path)
                #expect(try first.roundTrip(#"{"id":1,"verb":"ping"}"#).resultValue != nil)
                #expect(try second.roundTrip(#"{"id":1,"verb":"ping"}"#).resultValue != nil)
                let third = try RawClient(path: path)
                let refusal = try third.readFrame()
                #expect(refusal.errorCode == .tooManyConnections)
                #expect(refusal.id == .null)
                #expect(try third.readLine() == nil)
                // The client library reports it as a server error (exit 1).
                do {
                    let connection = try LedgerConnection(socketPath: path)
                    _ = try connection.call(verb: "status")
                    Issue.record("a third connection was served")
                } catch let error as ClientError {
                    #expect(error == .server(WireError(.tooManyConnections, "the daemon serves at most 2 connections; retry later", details: ["max": 2])))
                    #expect(error.exitCode == .failed)
                }
                // The first two still work; once one leaves, a newcomer is admitted.
                #expect(try first.roundTrip(#"{"id":2,"verb":"status"}"#).resultValue != nil)
                first.shutdownWrite()
                #expect(try first.readLine() == nil)
                while server.connectionCount > 1 { usleep(1000) }
                let fourth = try RawClient(path: path)
                #expect(try fourth.roundTrip(#"{"id":1,"verb":"status"}"#).resultValue != nil)
            }
            #expect(server.statistics.connectionsRefused == 2)
        }
    }

    @Test func peerCredentialsOfThisProcess() async throws {
        try await withServer { _, path in
            try await onThread {
                let connection = try LedgerConnection(socketPath: path)
                let pong = try connection.call(verb: "ping")
                #expect(pong["pong"] == true)
                #expect(pong["uid"] == .int(Int64(getuid())))
                #expect(pong["user"] == "root")
                #expect(pong["roles"] == ["admin"])
                // The handler sees the same peer (the event actor comes from it).
                #expect(try connection.call(verb: "append")["actor"] == "root")
            }
        }
    }

    @Test func halfClosedClientStillGetsItsAnswers() async throws {
        try await withServer { _, path in
            try await onThread {
                let client = try RawClient(path: path)
                try client.send(#"{"id":1,"verb":"status"}"# + "\n" + #"{"id":2,"verb":"export","args":{"count":1}}"#)
                client.shutdownWrite()
                #expect(try client.readFrame().id == 1)
                #expect(try client.readFrame() == .item(id: 2, ["seq": 1]))
                #expect(try client.readFrame() == .progress(id: 2, done: 1, total: 1))
                #expect(try client.readFrame() == .result(id: 2, ["exported": 1]))
                #expect(try client.readLine() == nil)
            }
        }
    }
}

@Suite("Back-pressure and limits")
struct BackPressureTests {
    @Test func inFlightLimitPerConnection() async throws {
        let gates = Gates()
        try await withServer(requestsInFlightMax: 2, handler: TestHandler(gates: gates)) { _, path in
            let client = try await onThread { try RawClient(path: path) }
            var lines = ""
            for id in 1...5 { lines += #"{"id":\#(id),"verb":"history","args":{"gate":"g\#(id)"}}"# + "\n" }
            try client.send(lines)
            while gates.waitingCount("g1") == 0 || gates.waitingCount("g2") == 0 { try await Task.sleep(for: .milliseconds(1)) }
            // Two run; the third is not read until one finishes.
            #expect(gates.waitingCount("g3") == 0)
            gates.open("g1")
            while gates.waitingCount("g3") == 0 { try await Task.sleep(for: .milliseconds(1)) }
            #expect(gates.waitingCount("g4") == 0)
            for id in 2...5 { gates.open("g\(id)") }
            let ids = try await onThread { try (1...5).map { _ in try client.readFrame().id } }
            #expect(ids == [1, 2, 3, 4, 5])
        }
    }

    /// Requests in flight on one connection hold their lines: beyond 4 MiB of
    /// them (four of the longest) the next line is not read until one ends.
    @Test func bytesInFlightLimitPerConnection() async throws {
        let gates = Gates()
        try await withServer(requestsInFlightMax: 100, handler: TestHandler(gates: gates)) { _, path in
            let client = try await onThread { try RawClient(path: path) }
            let pad = String(repeating: "x", count: 900_000)
            var lines = ""
            for id in 1...6 { lines += #"{"id":\#(id),"verb":"history","args":{"gate":"g\#(id)","pad":"\#(pad)"}}"# + "\n" }
            let text = lines
            let sending = Task.detached { try client.send(text) }
            for id in 1...4 {
                while gates.waitingCount("g\(id)") == 0 { try await Task.sleep(for: .milliseconds(1)) }
            }
            try await Task.sleep(for: .milliseconds(100))
            #expect(gates.waitingCount("g5") == 0, "4 × 900 kB run; a fifth would hold more than 4 MiB")
            gates.open("g1")
            while gates.waitingCount("g5") == 0 { try await Task.sleep(for: .milliseconds(1)) }
            for id in 2...6 { gates.open("g\(id)") }
            let ids = try await onThread { try (1...6).map { _ in try client.readFrame().id } }
            #expect(ids == [1, 2, 3, 4, 5, 6])
            try await sending.value
        }
    }

    /// A client that stops reading in the middle of a long export and leaves:
    /// the handler is told (ClientGone) instead of streaming into the void,
    /// and the daemon's memory is bounded by the socket buffers meanwhile.
    @Test func streamingStopsWhenTheClientLeaves() async throws {
        let probe = StreamProbe()
        try await withServer(handler: TestHandler(streamProbe: probe)) { server, path in
            try await onThread {
                let client = try RawClient(path: path)
                try client.send(#"{"id":1,"verb":"export","args":{"count":10000000}}"# + "\n")
                _ = try client.readFrame()
                // Dropping the client closes its socket.
            }
            while !probe.clientGone { try await Task.sleep(for: .milliseconds(1)) }
            #expect(probe.itemsSent < 10_000_000)
            while server.connectionCount > 0 { try await Task.sleep(for: .milliseconds(1)) }
        }
    }
}

@Suite("Garbage in")
struct GarbageTests {
    /// A deterministic generator, so a failure reproduces.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// Random lines (raw bytes, mangled requests) each get exactly one final
    /// frame, and the daemon and the connection survive all of them.
    @Test func randomLinesEachGetOneAnswer() async throws {
        try await withServer(lineBytesMax: 2048) { _, path in
            try await onThread {
                var random = SplitMix(state: 20_261_129)
                let fragments = [#"{"id":"#, #""verb":"#, #""status""#, "{", "}", "[", "]", ",", ":", "\"", "\\", "null", "1e999", "-", "\u{0}", "é", "\\u0000", "\\ud800", #""args":"#]
                let client = try RawClient(path: path)
                var expected = 0
                var batch: [UInt8] = []
                for _ in 0..<400 {
                    var line: [UInt8] = []
                    if Bool.random(using: &random) {
                        let count = Int.random(in: 1...80, using: &random)
                        line = (0..<count).map { _ in UInt8.random(in: 0...255, using: &random) }
                    } else {
                        for _ in 0..<Int.random(in: 1...12, using: &random) {
                            line += Array(fragments.randomElement(using: &random)!.utf8)
                        }
                    }
                    if Int.random(in: 0..<50, using: &random) == 0 {
                        line += [UInt8](repeating: UInt8(ascii: "x"), count: 3000)  // over the limit
                    }
                    line.removeAll { $0 == UInt8(ascii: "\n") }
                    let blank = line.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") || $0 == UInt8(ascii: "\r") }
                    if !blank { expected += 1 }
                    batch += line + [UInt8(ascii: "\n")]
                }
                try client.send(batch)
                try client.send(#"{"id":"last","verb":"status"}"# + "\n")
                var finals = 0
                while true {
                    let frame = try client.readFrame()
                    if frame.id == "last" {
                        #expect(frame.resultValue != nil)
                        break
                    }
                    #expect(frame.isFinal)
                    finals += 1
                }
                #expect(finals == expected)
            }
        }
    }
}
