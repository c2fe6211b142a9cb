import Foundation
import LedgerClient
import LedgerJSON
import LedgerWire
import Testing

/// `ledgerctl append` prints CONTRACT.md's result lines exactly; what people
/// need besides (advisory warnings, idempotent duplicates) goes to stderr.
@Suite struct AppendOutputTests {
    @Test func stdoutHoldsExactlyTheContractsResultLines() throws {
        let daemon = try DaemonProcess()
        defer { _ = daemon.stop() }
        let shortMeeting = event("MeetingHeld", [
            "cell": "CB01", "kind": "regular", "durationMinutes": 60, "attendees": ["M001", "M002"],
            "absentees": [], "speakers": ["M001"], "minutesRecorded": true, "topic": "Sinh hoạt định kỳ tháng 11/2025",
        ], on: "2025-11-05")
        let events = setupEvents + [task(1, key: "k-1"), task(1, key: "k-1"), shortMeeting,
                                    event("MemberConfirmed", ["memberId": "M404"])]
        let result = try daemon.append(events)
        #expect(result.status == 1)  // the last event names an unknown member
        #expect(result.lines.count == 9)
        #expect(Array(result.lines[0..<8]) == (1...6).map { "{\"seq\":\($0)}" } + ["{\"seq\":6}", "{\"seq\":7}"])
        let refusal = try JSONParser.parse(Array(result.lines[8].utf8))
        #expect(refusal["error"]?["code"] != nil)
        #expect(refusal.objectValue?.keys.sorted() == ["error"])
        #expect(result.stderr.contains("line 7: already stored as seq 6"), "\(result.stderr)")
        #expect(result.stderr.contains("line 8 (seq 7): warning"), "\(result.stderr)")
        #expect(result.stderr.contains("1 of 9 events refused"), "\(result.stderr)")
    }

    /// Batches go out ahead of their answers (a few in flight): with batches of
    /// one event, every event depends on batches still unanswered, and the
    /// results, a malformed line's and a refusal's included, come out in input
    /// order.
    @Test func pipelinedBatchesKeepInputOrder() throws {
        let daemon = try DaemonProcess()
        defer { _ = daemon.stop() }
        var lines = setupEvents.map(\.canonicalString)
        for k in 0..<30 {
            let member = String(format: "Q%03d", k)
            lines.append(event("MemberRegistered", ["memberId": .string(member), "name": "Đỗ Thị Hoa", "cell": "CB01",
                                                    "status": "official"], on: "2013-01-02").canonicalString)
            lines.append(event("MemberTaskAssigned", ["memberId": .string(member), "task": "Theo dõi hồ sơ"],
                               on: "2013-02-01").canonicalString)
            if k == 10 { lines.append("{not json") }
            if k == 20 { lines.append(event("MemberConfirmed", ["memberId": "Q999"]).canonicalString) }
        }
        let file = daemon.dir.path + "/pipelined.jsonl"
        try (lines.joined(separator: "\n") + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        let result = try daemon.ctl(["append", file, "--batch", "1"])
        #expect(result.status == 1)  // one malformed line, one unknown member
        #expect(result.lines.count == lines.count)
        let outcomes = try result.lines.map { try JSONParser.parse(Array($0.utf8)) }
        let seqs = outcomes.compactMap { $0["seq"]?.intValue }
        #expect(seqs == Array(1...Int64(lines.count - 2)), "stored in input order, none refused for order")
        let malformedAt = lines.firstIndex(of: "{not json")!
        #expect(outcomes[malformedAt]["error"]?["code"] == "malformed-json")
        let unknownAt = lines.firstIndex { $0.contains("Q999") }!
        #expect(outcomes[unknownAt]["error"]?["code"] != nil)
        #expect(outcomes.filter { $0["error"] != nil }.count == 2)
    }

    /// A plain append on an idle connection is served by the daemon's event
    /// loop, one pipelined behind it by a task: the answers are the same,
    /// stored, warned, refused, malformed or atomic, and so are the refusals
    /// of arguments the fast path leaves to the task. (`status` on a second
    /// connection counts the requests the event loop served.)
    @Test func theEventLoopAndATaskGiveTheSameAnswers() throws {
        let daemon = try DaemonProcess()
        defer { _ = daemon.stop() }
        #expect(try daemon.append(setupEvents).status == 0)
        let connection = try LedgerConnection(socketPath: daemon.socket)
        let watcher = try LedgerConnection(socketPath: daemon.socket)
        func onEventLoop() throws -> Int64 { try watcher.call(verb: "status")["requestsOnEventLoop"]?.intValue ?? -1 }
        _ = try connection.call(verb: "ping")  // the connection's peer is identified
        func meeting(_ month: Int) -> JSONValue {
            event("MeetingHeld", [
                "cell": "CB01", "kind": "regular", "durationMinutes": 45, "attendees": ["M001", "M002"],
                "absentees": [], "speakers": [], "minutesRecorded": true, "topic": "Họp ngắn",
            ], on: String(format: "2025-%02d-05", month))
        }
        let kinds: [(name: String, fast: Bool, args: (Int) -> [String: JSONValue])] = [
            ("stored", true, { ["events": [task($0)]] }),
            ("warned", true, { ["events": [meeting(3 + $0 % 2)]] }),  // March, then April
            ("refused", true, { _ in ["events": [event("MemberConfirmed", ["memberId": "M404"])]] }),
            ("invalid", true, { _ in ["events": [["type": "NoSuchEvent", "occurredOn": "2024-01-01", "data": [:]]]] }),
            ("atomic", true, { ["events": [task($0), event("MemberConfirmed", ["memberId": "M404"])], "atomic": true] }),
            ("several", true, { ["events": [task($0), task($0 + 1_000)], "atomic": false] }),
            ("empty", false, { _ in ["events": []] }),
            ("atomic not a boolean", false, { ["events": [task($0)], "atomic": "yes"] }),
            ("unknown argument", false, { ["events": [task($0)], "atomc": true] }),
        ]
        /// The answer with every seq set to 0 and every digit in text to '#' (the
        /// two requests store different events, on different dates).
        func normalized(_ value: JSONValue) -> JSONValue {
            switch value {
            case .object(let object):
                return .object(object.reduce(into: [:]) { $0[$1.key] = $1.key == "seq" ? 0 : normalized($1.value) })
            case .array(let items): return .array(items.map(normalized))
            case .string(let text): return .string(String(text.map { $0.isASCII && $0.isNumber ? "#" : $0 }))
            default: return value
            }
        }
        var n = 0
        for kind in kinds {
            // A task's answer may reach us a moment before it ends its turn:
            // then the first of the pair goes to a task too. Try again.
            var firstOnEventLoop = false
            for _ in 0..<20 where !firstOnEventLoop {
                let before = try onEventLoop()
                var answers: [Result<JSONValue, WireError>] = []
                n += 2
                try connection.pipeline([(verb: "append", args: kind.args(n)), (verb: "append", args: kind.args(n + 1))],
                                        window: 2) { _, result in answers.append(result) }
                let served = try onEventLoop() - before
                #expect(served <= 1, "the second of the pair is behind the first: never on the event loop")
                #expect(answers.count == 2)
                #expect(answers[0].map(normalized) == answers[1].map(normalized), "\(kind.name)")
                firstOnEventLoop = served == 1
                if !kind.fast { break }
            }
            #expect(firstOnEventLoop == kind.fast, "\(kind.name)")
        }
    }

    @Test func manyWarningsAreCappedUnlessAsked() throws {
        let daemon = try DaemonProcess()
        defer { _ = daemon.stop() }
        #expect(try daemon.append(setupEvents).status == 0)
        func meetings(_ month: Int) -> [JSONValue] {
            (1...12).map { day in
                event("MeetingHeld", [
                    "cell": "CB01", "kind": "regular", "durationMinutes": 45, "attendees": ["M001", "M002"],
                    "absentees": [], "speakers": [], "minutesRecorded": true, "topic": "Họp ngắn",
                ], on: String(format: "2025-%02d-%02d", month, day))
            }
        }
        let capped = try daemon.append(meetings(11))
        #expect(capped.status == 0)
        let shown = capped.stderr.split(separator: "\n").filter { $0.contains(": warning ") }
        #expect(shown.count == 20, "\(capped.stderr)")
        #expect(capped.stderr.contains("more warnings or duplicate notes not shown"))
        let all = try daemon.append(meetings(12), extra: ["--all-warnings"])
        #expect(all.status == 0)
        #expect(all.stderr.split(separator: "\n").filter { $0.contains(": warning ") }.count > 20, "\(all.stderr)")
        #expect(!all.stderr.contains("not shown"))
    }
}
