import Foundation
import LedgerClient
import Glibc
import LedgerJSON
import Synchronization
import Testing

@Suite struct DaemonLifecycleTests {
    @Test func startsReadyAppendsAnswersAndStopsCleanly() throws {
        let daemon = try DaemonProcess()
        #expect(daemon.notifications.contains { $0.contains("READY=1") })
        var mode = stat()
        #expect(stat(daemon.socket, &mode) == 0)
        #expect(mode.st_mode & 0o777 == 0o660)

        let appended = try daemon.append(setupEvents)
        #expect(appended.status == 0, "\(appended.stderr)")
        #expect(appended.lines == (1...5).map { "{\"seq\":\($0)}" })

        let status = try daemon.ctl(["status", "--json"]).json()
        #expect(status["size"] == 5)
        #expect(status["rootHash"]?.stringValue?.count == 64)
        let version = try daemon.ctl(["--version"])
        #expect(version.status == 0 && !version.stdout.isEmpty)
        #expect(status["version"]?.stringValue == version.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        let text = try daemon.ctl(["status"])
        #expect(text.stdout.contains("Số sự kiện:      5"))

        #expect(daemon.stop(SIGTERM) == 0)
        #expect(daemon.notifications.contains { $0.contains("STOPPING=1") })
        #expect(access(daemon.socket, F_OK) != 0, "the socket file must be removed on shutdown")
        #expect(daemon.log.contains("<5>"), "journald priority prefixes on stderr")
    }

    /// `status` for people writes numbers as Vietnamese readers do: thousands
    /// grouped with '.', decimals after ',', the uptime in words.
    @Test func statusTextGroupsThousands() throws {
        let daemon = try DaemonProcess()
        defer { _ = daemon.stop() }
        #expect(try daemon.append(setupEvents + (0..<1_200).map { task($0) }).status == 0)
        let text = try daemon.ctl(["status"])
        #expect(text.status == 0)
        #expect(text.stdout.contains("Số sự kiện:      1.205\n"), "\(text.stdout)")
        #expect(text.stdout.contains("Checkpoint ký:   cỡ 1.205\n"), "\(text.stdout)")
        #expect(text.stdout.range(of: #"Dữ liệu: +\d+,\d MiB / [\d.]+ MiB bản đồ"#, options: .regularExpression) != nil,
                "\(text.stdout)")
        #expect(text.stdout.range(of: #"Hoạt động: +(\d+ giây|\d+ phút)\n"#, options: .regularExpression) != nil,
                "\(text.stdout)")
        // The durable commits that stored those 1 205 events, timed.
        let pattern = #"Ghi đĩa: +trung vị \d+,\d\d ms, p99 \d+,\d\d ms, lâu nhất \d+,\d\d ms \([\d.]+ lần ghi gần nhất, [\d.]+(,\d)? sự kiện mỗi lần ghi\)\n"#
        #expect(text.stdout.range(of: pattern, options: .regularExpression) != nil, "\(text.stdout)")
        let recent = try daemon.ctl(["status", "--json"]).json()["recentCommits"]
        #expect(recent?["events"] == 1_205, "every commit so far is in the window")
    }

    /// Without an origin configured, a ledger keeps its own (its key's
    /// name): before, the default was the host's name, so a host renamed or
    /// a config without `origin` stopped the daemon at start.
    @Test func withoutAnOriginTheLedgerKeepsItsOwn() throws {
        let daemon = try DaemonProcess()
        #expect(try daemon.append(setupEvents).status == 0)
        #expect(daemon.stop() == 0)
        daemon.origin = nil
        try daemon.start()
        let checkpoint = try daemon.ctl(["checkpoint"])
        #expect(checkpoint.status == 0, "\(checkpoint.stderr)")
        #expect(checkpoint.stdout.hasPrefix("test.local/dang-bo\n"), "\(checkpoint.stdout)")
        #expect(try daemon.append([task(2)]).status == 0)
        // A new ledger without one is named after the host.
        let fresh = try DaemonProcess(start: false)
        fresh.origin = nil
        try fresh.start()
        let origin = try fresh.ctl(["checkpoint"]).stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(origin.hasSuffix("/ledger") && origin != "test.local/dang-bo", "\(origin)")
    }

    @Test func aRefusedEventIsReportedAndTheGoodOnesStay() throws {
        let daemon = try DaemonProcess()
        _ = try daemon.append(setupEvents)
        let result = try daemon.append([
            task(1),
            event("MemberTaskAssigned", ["memberId": "NOBODY", "task": "x"]),
            task(2),
        ])
        #expect(result.status == 1)
        #expect(result.lines.count == 3)
        #expect(result.lines[0] == "{\"seq\":6}")
        let refused = try JSONParser.parse(Array(result.lines[1].utf8))
        #expect(refused["error"]?["code"] == "refused")
        #expect(result.lines[2] == "{\"seq\":7}")
        #expect(result.stderr.contains("1 of 3 events refused"))

        let atomic = try daemon.append([task(3), event("MemberTaskAssigned", ["memberId": "NOBODY", "task": "x"])], extra: ["--atomic"])
        #expect(atomic.status == 1)
        #expect(try daemon.ctl(["status", "--json"]).json()["size"] == 7)
    }

    @Test func malformedInputLinesGetErrorLines() throws {
        let daemon = try DaemonProcess()
        _ = try daemon.append(setupEvents)
        let file = daemon.dir.path + "/bad.jsonl"
        try "{\"type\":\"MemberTaskAssigned\",\"occurredOn\":\"2024-01-01\",\"data\":{\"memberId\":\"M001\",\"task\":\"a\"}}\nnot json\n{\"type\":\"MemberTaskAssigned\",\"occurredOn\":\"2024-01-01\",\"data\":{\"memberId\":\"M001\",\"task\":\"b\",\"extra\":1}}\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let result = try daemon.ctl(["append", file])
        #expect(result.status == 1)
        #expect(result.lines.count == 3)
        #expect(result.lines[1].contains("malformed-json"))
        #expect(result.lines[2].contains("bad-arguments"))
    }

    /// A bad flag and a bad config both exit 2 (the unit's RestartPreventExitStatus);
    /// a config that cannot be read exits 1 (perhaps for a moment: systemd retries).
    @Test func ledgerdUsageErrorsExit2() throws {
        let dir = TempDir()
        let missing = try Spawn.start(
            Binaries.ledgerd, ["--data-dir", dir.path + "/data", "--socket", dir.path + "/s.sock", "--config", dir.path + "/none.conf"],
            environment: ["PATH": "/usr/bin:/bin", "HOME": dir.path], stdout: dir.path + "/out", stderr: dir.path + "/err")
        #expect(Spawn.wait(missing) == 1)
        for args in [["--bogus"], ["--config", dir.path + "/bad.conf"], ["--restore-only"]] {
            try "no-such-key = 1\n".write(toFile: dir.path + "/bad.conf", atomically: true, encoding: .utf8)
            let pid = try Spawn.start(Binaries.ledgerd, ["--data-dir", dir.path + "/data", "--socket", dir.path + "/s.sock"] + args,
                                      environment: ["PATH": "/usr/bin:/bin", "HOME": dir.path],
                                      stdout: dir.path + "/out", stderr: dir.path + "/err")
            #expect(Spawn.wait(pid) == 2, "\(args): \((try? String(contentsOfFile: dir.path + "/err", encoding: .utf8)) ?? "")")
        }
    }

    @Test func unreachableDaemonAndUsageErrorsHaveTheirExitCodes() throws {
        let dir = TempDir()
        let unreachable = try Ctl.run(["status"], socket: dir.path + "/nothing.sock", dir: dir)
        #expect(unreachable.status == 3, "\(unreachable.stderr)")
        // With --json, the failure is also one JSON object on stdout, for scripts.
        let unreachableJSON = try Ctl.run(["status", "--json"], socket: dir.path + "/nothing.sock", dir: dir)
        #expect(unreachableJSON.status == 3)
        #expect(try unreachableJSON.json()["error"]?["code"] == "unreachable", "\(unreachableJSON.stdout)")
        let usage = try Ctl.run(["report", "--org", "DB01", "--from", "2024-13-01", "--to", "2024-12-31"], socket: nil, dir: dir)
        #expect(usage.status == 2)
        #expect(usage.stderr.contains("--from got '2024-13-01', which is not a date (there is no month 13)"), "\(usage.stderr)")
        let zero = try Ctl.run(["member", "DV1", "--as-of", "2025-01-00"], socket: nil, dir: dir)
        #expect(zero.status == 2 && zero.stderr.contains("(there is no day 0)"), "\(zero.stderr)")
        let day = try Ctl.run(["member", "DV1", "--as-of", "2025-02-29"], socket: nil, dir: dir)
        #expect(day.status == 2)
        #expect(day.stderr.contains("--as-of got '2025-02-29', which is not a date (02/2025 has 28 days)"), "\(day.stderr)")
        let early = try Ctl.run(["meetings", "--cell", "CB01", "--from", "1899-12-31", "--to", "1900-12-31"], socket: nil, dir: dir)
        #expect(early.status == 2)
        #expect(early.stderr.contains("--from got '1899-12-31', outside the dates the ledger keeps (1900-01-01 to 2200-12-31)"),
                "\(early.stderr)")
        let backwards = try Ctl.run(["meetings", "--cell", "CB01", "--from", "2025-02-01", "--to", "2025-01-31"], socket: nil, dir: dir)
        #expect(backwards.status == 2 && backwards.stderr.contains("--from (2025-02-01) is after --to (2025-01-31)"),
                "\(backwards.stderr)")
    }

    @Test func aClientWithoutARoleIsRefused() throws {
        let daemon = try DaemonProcess(extraArgs: ["--socket-mode", "0666"])
        let asNobody = try daemon.ctl(["status"], prefix: ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"])
        #expect(asNobody.status == 4, "\(asNobody.stdout) \(asNobody.stderr)")
        #expect(asNobody.stderr.contains("permission"))
    }

    @Test func sighupReloadsTheRoleMap() throws {
        let dir = TempDir()
        let config = dir.path + "/ledgerd.conf"
        try "socket-mode = 0666\n[roles]\nadmin = uid:0\n".write(toFile: config, atomically: true, encoding: .utf8)
        let daemon = try DaemonProcess(dir: dir, extraArgs: ["--config", config])
        let nobody = ["/usr/bin/setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
        #expect(try daemon.ctl(["status"], prefix: nobody).status == 4)
        try "socket-mode = 0666\n[roles]\nadmin = uid:0\nreader = uid:65534\n".write(toFile: config, atomically: true, encoding: .utf8)
        kill(daemon.pid, SIGHUP)
        var allowed = false
        for _ in 0..<50 where !allowed {
            usleep(100_000)
            allowed = try daemon.ctl(["status", "--json"], prefix: nobody).status == 0
        }
        #expect(allowed)
        // A reader may not append.
        let file = dir.path + "/one.jsonl"
        try (setupEvents[0].canonicalString + "\n").write(toFile: file, atomically: true, encoding: .utf8)
        chmod(file, 0o644)
        #expect(try daemon.ctl(["append", file], prefix: nobody).status == 4)
    }

    @Test func socketActivationServesOnTheInheritedSocket() throws {
        let dir = TempDir()
        let path = dir.path + "/activated.sock"
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        #expect(bound == 0)
        #expect(listen(fd, 16) == 0)
        let daemon = try DaemonProcess(dir: dir, start: false)
        // LISTEN_PID must be the daemon's own pid: set it in a shell that then execs ledgerd.
        try daemon.start(fd3: fd, environment: ["LISTEN_FDS": "1"],
                         prefix: ["/bin/sh", "-c", "LISTEN_PID=$$ exec \"$0\" \"$@\""])
        close(fd)
        let status = try Ctl.run(["status", "--json"], socket: path, dir: dir)
        #expect(status.status == 0, "\(status.stderr) \(daemon.log)")
        #expect(try status.json()["size"] == 0)
        daemon.stop()
    }

    @Test func sigtermDuringAppendsLosesNoAcknowledgedEvent() throws {
        let daemon = try DaemonProcess()
        _ = try daemon.append(setupEvents)
        let file = daemon.dir.path + "/many.jsonl"
        let count = 20_000
        let text = (0..<count).map { task($0, key: "k\($0)").canonicalString }.joined(separator: "\n") + "\n"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        let out = daemon.dir.path + "/append.out"
        let pid = try Spawn.start(Binaries.ledgerctl, ["append", "--batch", "50", file],
                                  environment: ["LEDGER_SOCKET": daemon.socket], stdout: out, stderr: daemon.dir.path + "/append.err")
        usleep(400_000)
        #expect(daemon.stop(SIGTERM) == 0)
        _ = Spawn.wait(pid)
        let acknowledged = try String(contentsOfFile: out, encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONParser.parse(Array($0.utf8))["seq"]?.intValue }
        try daemon.start()
        let size = try #require(try daemon.ctl(["status", "--json"]).json()["size"]?.intValue)
        // Results are printed in input order: the i-th acknowledged line is task i, key "k<i>".
        let export = try daemon.ctl(["export"])
        var keyAtSeq: [Int64: String] = [:]
        for line in export.lines {
            let record = try JSONParser.parse(Array(line.utf8))
            if let seq = record["seq"]?.intValue, let key = record["idempotencyKey"]?.stringValue { keyAtSeq[seq] = key }
        }
        for (i, seq) in acknowledged.enumerated() {
            #expect(seq <= size)
            #expect(keyAtSeq[seq] == "k\(i)", "acknowledged event \(i) as seq \(seq) is missing after restart")
        }
        let verify = try daemon.ctl(["verify", "--json"])
        #expect(verify.status == 0, "\(verify.stdout)")
    }
}

/// The same, for clients appending one event at a time (the appends the
/// event loop serves itself): SIGTERM while 8 of them append; every append
/// answered with a seq is there after the restart, as sent.
@Suite struct SigtermDuringSingleAppendsTests {
    final class Acknowledged: @unchecked Sendable {
        private let lock = NSLock()
        private var seqs: [Int64: String] = [:]
        func record(_ seq: Int64, key: String) { lock.withLock { seqs[seq] = key } }
        var all: [Int64: String] { lock.withLock { seqs } }
    }

    @Test func sigtermDuringSingleAppendsLosesNoAcknowledgedEvent() throws {
        let daemon = try DaemonProcess()
        _ = try daemon.append(setupEvents)
        let acknowledged = Acknowledged()
        let done = DispatchGroup()
        for c in 0..<8 {
            DispatchQueue.global().async(group: done) {
                guard let connection = try? LedgerConnection(socketPath: daemon.socket) else { return }
                for i in 0..<100_000 {
                    let key = "c\(c)-\(i)"
                    // Until the daemon refuses or goes away.
                    guard let answer = try? connection.call(verb: "append", args: ["events": [task(i, key: key)]]),
                          let seq = answer["results"]?.arrayValue?.first?["seq"]?.intValue
                    else { return }
                    acknowledged.record(seq, key: key)
                }
            }
        }
        while acknowledged.all.count < 500 { usleep(10_000) }
        let during = try daemon.ctl(["status", "--json"]).json()
        #expect((during["requestsOnEventLoop"]?.intValue ?? 0) > 100, "appends served by the event loop")
        #expect(daemon.stop(SIGTERM) == 0)
        done.wait()
        let answered = acknowledged.all
        try daemon.start()
        var keyAtSeq: [Int64: String] = [:]
        for line in try daemon.ctl(["export"]).lines {
            let record = try JSONParser.parse(Array(line.utf8))
            if let seq = record["seq"]?.intValue, let key = record["idempotencyKey"]?.stringValue { keyAtSeq[seq] = key }
        }
        for (seq, key) in answered.sorted(by: { $0.key < $1.key }) {
            #expect(keyAtSeq[seq] == key, "acknowledged \(key) as seq \(seq) is missing after restart")
        }
        #expect(try daemon.ctl(["verify"]).status == 0)
    }
}

/// Long jobs (verify, rebuild, at-seq replays) run two at a time, but their
/// slots are held by the work alone: verifies whose answers wait behind a
/// `tail --follow` on their connection do not keep another client's verify
/// waiting (found by a review: they held both slots until they disconnected).
@Suite struct LongWorkSlotTests {
    @Test func verifiesWaitingForTheirTurnDoNotHoldTheSlots() throws {
        let daemon = try DaemonProcess()
        _ = try daemon.append(setupEvents)
        let hog = try LedgerConnection(socketPath: daemon.socket)
        _ = try hog.send(verb: "tail", args: ["follow": true])
        _ = try hog.send(verb: "verify")
        _ = try hog.send(verb: "verify")
        try hog.flush()
        usleep(300_000)  // both verifies have run; their answers wait for the tail's turn
        let out = daemon.dir.path + "/verify.out"
        let pid = try Spawn.start(Binaries.ledgerctl, ["verify", "--json"],
                                  environment: ["LEDGER_SOCKET": daemon.socket, "HOME": daemon.dir.path,
                                                "LEDGER_STATE_DIR": daemon.dir.path + "/state", "PATH": "/usr/bin:/bin"],
                                  stdout: out, stderr: daemon.dir.path + "/verify.err")
        let done = Atomic<Bool>(false)
        DispatchQueue.global().asyncAfter(deadline: .now() + 30) { if !done.load(ordering: .relaxed) { kill(pid, SIGKILL) } }
        let status = Spawn.wait(pid)
        done.store(true, ordering: .relaxed)
        #expect(status == 0, "another client's verify finished")
        #expect(((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").contains("\"ok\":true"))
        hog.close()
        _ = daemon.stop()
    }
}

/// One user other than root cannot hold more connections than its share;
/// root still gets in, and the user again once one is closed.
@Suite struct ConnectionShareTests {
    @Test func aUserAtItsShareIsRefusedAndRootIsNot() throws {
        let daemon = try DaemonProcess.configured(
            "socket-mode = 0666\nmax-connections-per-user = 1\n[roles]\nadmin = uid:0\nauditor = uid:65534\n")
        let dir = daemon.dir
        _ = try daemon.append(setupEvents)
        let nobody = DaemonProcess.asNobody
        #expect(try daemon.ctl(["status"], prefix: nobody).status == 0)
        // nobody holds its one connection with a follower...
        let out = dir.path + "/follow.out"
        let pid = try Spawn.start(Binaries.ledgerctlForOtherUsers, ["tail", "--follow"],
                                  environment: ["LEDGER_SOCKET": daemon.socket, "HOME": dir.path, "PATH": "/usr/bin:/bin"],
                                  stdout: out, stderr: dir.path + "/follow.err", prefix: nobody)
        var stopped = false
        defer { if !stopped { kill(pid, SIGKILL); _ = Spawn.wait(pid) } }
        for _ in 0..<600 where ((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").isEmpty { usleep(50_000) }  // up to 30 s: CI is loaded
        #expect(!((try? String(contentsOfFile: out, encoding: .utf8)) ?? "").isEmpty, "the follower prints the log")
        // ...so a second is refused, saying why; root is not.
        let refused = try daemon.ctl(["status"], prefix: nobody)
        #expect(refused.status != 0)
        #expect(refused.stderr.contains("max-connections-per-user"), "\(refused.stderr)")
        #expect(try daemon.ctl(["status"]).status == 0)
        kill(pid, SIGKILL)
        _ = Spawn.wait(pid)
        stopped = true
        var again = try daemon.ctl(["status"], prefix: nobody)
        for _ in 0..<300 where again.status != 0 {  // up to 30 s
            usleep(100_000)  // until the server has noticed the close
            again = try daemon.ctl(["status"], prefix: nobody)
        }
        #expect(again.status == 0, "\(again.stderr)")
        _ = daemon.stop()
    }
}

/// An append of more events than one request may hold is refused whole, in
/// one short error, and the connection goes on: not one refusal per event
/// (a 1 MiB line holds half a million array elements).
@Suite struct OversizedAppendTests {
    @Test func tooManyEventsInOneRequestGetOneErrorAndNothingIsWritten() throws {
        let daemon = try DaemonProcess()
        let connection = try LedgerConnection(socketPath: daemon.socket)
        let tiny = [JSONValue](repeating: 0, count: 200_000)
        _ = try connection.send(verb: "append", args: ["events": .array(tiny)])
        let response = try connection.receive()
        guard case .failure(let error) = response.result else {
            Issue.record("accepted: \(response)")
            return
        }
        #expect(error.code == .badArguments)
        #expect(error.message.contains("200000 events; at most 10000"), "\(error.message)")
        // The connection and the ledger go on.
        let good = try connection.call(verb: "append", args: ["events": .array(Array(setupEvents.prefix(1)))])
        #expect(good["results"]?.arrayValue?.first?["seq"] == 1)
        _ = daemon.stop()
    }
}

/// An idempotency key too long for LMDB (128 four-byte characters are 512
/// bytes; LMDB's keys hold 511) refuses its own event, not the commit of
/// everyone's (found by the storage review: it failed the whole commit).
@Suite struct LongIdempotencyKeyTests {
    @Test func aKeyOverTheByteLimitRefusesOnlyItsOwnEvent() throws {
        let daemon = try DaemonProcess()
        #expect(try daemon.append(setupEvents).status == 0)
        let connection = try LedgerConnection(socketPath: daemon.socket)
        let long = String(repeating: "😀", count: 128)
        let fine = String(repeating: "😀", count: 127) + "ệ"  // 511 bytes: LMDB's limit
        let result = try connection.call(verb: "append", args: ["events": [
            task(1, key: long), task(2), task(3, key: fine),
        ]])
        let outcomes = try #require(result["results"]?.arrayValue)
        #expect(outcomes.count == 3)
        #expect(outcomes[0]["error"]?["code"] == "bad-arguments", "\(outcomes[0])")
        #expect(outcomes[0]["error"]?["message"]?.stringValue?.contains("512 bytes") == true)
        #expect(outcomes[1]["seq"] == 6)
        #expect(outcomes[2]["seq"] == 7)
        #expect(try daemon.ctl(["verify"]).status == 0)
        // The same key again is the same event, not a failure.
        let again = try connection.call(verb: "append", args: ["events": [task(3, key: fine)]])
        #expect(again["results"]?.arrayValue?.first?["duplicate"] == true)
        _ = daemon.stop()
    }
}

/// Pipelined appends on one connection: the daemon works on them at once but
/// queues them in request order, so an event may depend on one sent in an
/// earlier request whose answer has not come back yet.
@Suite struct PipelinedAppendOrderTests {
    @Test func appendsSentWithoutWaitingAreCommittedInRequestOrder() throws {
        let daemon = try DaemonProcess()
        #expect(try daemon.append(Array(setupEvents.prefix(3))).status == 0)
        let connection = try LedgerConnection(socketPath: daemon.socket)
        let pairs = 80
        for k in 0..<pairs {
            let member = String(format: "P%03d", k)
            try connection.send(verb: "append", args: ["events": [
                event("MemberRegistered", ["memberId": .string(member), "name": "Lê Văn Phúc", "cell": "CB01", "status": "official"],
                      on: "2013-01-02"),
            ]])
            // Depends on the request just before it, still unanswered.
            try connection.send(verb: "append", args: ["events": [
                event("MemberTaskAssigned", ["memberId": .string(member), "task": "Phụ trách hồ sơ"], on: "2013-02-01"),
            ]])
        }
        var seqs: [Int64] = []
        for _ in 0..<(2 * pairs) {
            let response = try connection.receive()
            guard case .success(let value) = response.result, let outcome = value["results"]?.arrayValue?.first else {
                Issue.record("request failed: \(response)")
                continue
            }
            guard let seq = outcome["seq"]?.intValue else {
                Issue.record("refused out of order: \(outcome)")
                continue
            }
            seqs.append(seq)
        }
        #expect(seqs.count == 2 * pairs)
        #expect(seqs == seqs.sorted(), "committed in another order than sent")
        _ = daemon.stop()
    }
}
