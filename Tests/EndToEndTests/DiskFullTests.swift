import Foundation
import LedgerJSON
import Testing

/// A real `ledgerd` whose data file cannot grow (a file size limit, as a full
/// disk would): appends are refused with nothing written, every acknowledged
/// event stays, the daemon goes on serving, and it takes appends again once
/// there is room.
@Suite struct DiskFullTests {
    /// Runs ledgerd with files limited to `bytes` (`ulimit -f` counts 512-byte
    /// blocks in /bin/sh; SIGXFSZ ignored, so a write past it fails with EFBIG).
    private func limited(_ bytes: Int) -> [String] {
        ["/bin/sh", "-c", "trap '' XFSZ; ulimit -f \(bytes / 512); exec \"$0\" \"$@\""]
    }

    @Test func aFullDiskRefusesAppendsWithNothingWrittenAndTheDaemonGoesOn() throws {
        let daemon = try DaemonProcess(start: false)
        try daemon.start(prefix: limited(3 << 20))
        defer { _ = daemon.stop() }
        #expect(try daemon.append(setupEvents).status == 0)
        var acknowledged = setupEvents.count
        var refusal: JSONValue?
        // Until the last commit failed: after a refusal, a smaller commit may
        // still fit in pages LMDB freed (and clear the failure), so go on
        // until the latest outcome is a refusal.
        var lastRefused = false
        var episodes = 0  // runs of refusals between acknowledgements
        var round = 0
        while !lastRefused && round < 100 {
            let result = try daemon.append((0..<200).map { task(round * 200 + $0) }, extra: ["--batch", "50"])
            for line in result.lines {
                let outcome = try JSONParser.parse(Array(line.utf8))
                if outcome["seq"] != nil {
                    acknowledged += 1
                    lastRefused = false
                } else {
                    if refusal == nil { refusal = outcome }
                    if !lastRefused { episodes += 1 }
                    lastRefused = true
                }
            }
            round += 1
        }
        let error = try #require(refusal?["error"], "no append was refused below the file size limit")
        #expect(error["code"] == "unavailable")
        let message = error["message"]?.stringValue ?? ""
        #expect(message.contains("nothing of this request was written"), "\(message)")
        #expect(message.contains("is it full?"), "\(message)")

        // Still serving: status and queries answer, and the log holds exactly
        // what was acknowledged.
        let status = try daemon.ctl(["status", "--json"])
        #expect(status.status == 0)
        #expect(try status.json()["size"]?.intValue == Int64(acknowledged))
        // and says so: appends are failing, since when, and why.
        let failing = try status.json()["commitFailing"]
        #expect(failing?["since"]?.stringValue?.hasPrefix("20") == true)
        #expect(failing?["error"]?.stringValue?.contains("is it full?") == true, "\(String(describing: failing))")
        #expect(try daemon.ctl(["status"]).stdout.contains("GHI ĐANG LỖI"))
        // So does `systemctl status ledgerd` (systemd's STATUS= line).
        let notified = daemon.notify.waitFor("APPENDS FAILING", seconds: 15)
        #expect(notified.contains { $0.contains("STATUS=APPENDS FAILING since") && $0.contains("nothing written") },
                "\(notified)")
        #expect(try daemon.ctl(["member", "M001", "--json"]).status == 0)
        // Not halted: the next append is taken if its commit fits in what is
        // left, or refused the same way; never `read-only`.
        let again = try daemon.append([task(1_000_000)])
        if again.status == 0 {
            acknowledged += 1
        } else {
            #expect(again.stdout.contains("nothing of this request was written"), "\(again.stdout)")
        }
        #expect(!again.stdout.contains("read-only"), "\(again.stdout)")
        // Logged at error priority, once a minute at most while it lasts (a
        // commit that fitted in between ends one run of failures).
        let failures = daemon.log.components(separatedBy: "commits failing, nothing written").count - 1
        #expect(failures >= 1 && failures <= episodes, "\(episodes) runs of refusals: \(daemon.log)")
        #expect(daemon.log.contains("<3>"))

        // With room again (a restart without the limit here; a running daemon
        // takes appends as soon as a commit fits), everything acknowledged is
        // there, the log verifies, and appends go on.
        #expect(daemon.stop() == 0)
        try daemon.start()
        let restarted = try daemon.ctl(["status", "--json"]).json()
        #expect(restarted["size"]?.intValue == Int64(acknowledged))
        #expect(restarted["commitFailing"] == nil)
        #expect(try daemon.ctl(["verify"]).status == 0)
        let next = try daemon.append([task(2_000_000)])
        #expect(next.status == 0)
        #expect(next.lines == ["{\"seq\":\(acknowledged + 1)}"])
    }
}
