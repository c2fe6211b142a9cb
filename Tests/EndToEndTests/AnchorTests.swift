import Foundation
import Glibc
import LedgerJSON
import LedgerMerkle
import Testing

@Suite struct AnchorTests {
    @Test func aRollbackToAnOlderBackupIsExposedByTheRememberedCheckpoint() throws {
        let dir = TempDir()
        let daemon = try DaemonProcess(dir: dir)
        _ = try daemon.append(setupEvents + (0..<20).map { task($0) })
        let backup = dir.path + "/backup-old"
        #expect(try daemon.ctl(["backup", backup]).status == 0)
        _ = try daemon.append((20..<30).map { task($0) })
        let first = try daemon.ctl(["checkpoint"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(try daemon.ctl(["status"]).status == 0)
        #expect(daemon.stop() == 0)

        // An operator (or an attacker) puts the older copy back.
        try FileManager.default.moveItem(atPath: daemon.dataDir, toPath: dir.path + "/data-newer")
        daemon.extraArgs = ["--restore", backup]
        try daemon.start()
        let after = try daemon.ctl(["checkpoint"])
        #expect(after.status == 1)
        #expect(after.stderr.contains("ROLLBACK"), "\(after.stderr)")
        #expect(after.stderr.contains("35"), "both checkpoints are shown")
        #expect(try daemon.ctl(["status"]).status == 1)
        // With --json, the alarm is also the one object on stdout.
        let json = try daemon.ctl(["status", "--json"])
        #expect(json.status == 1)
        #expect(try json.json()["error"]?["code"] == "anchor-alarm", "\(json.stdout)")
        #expect(try json.json()["error"]?["message"]?.stringValue?.contains("ROLLBACK") == true)
    }

    /// A ledger set up anew under another origin (and key) at the same
    /// socket has none of the history remembered there: reported, exit 1.
    @Test func anotherOriginAtTheSameSocketIsReported() throws {
        let dir = TempDir()
        let daemon = try DaemonProcess(dir: dir)
        _ = try daemon.append(setupEvents + (0..<5).map { task($0) })
        #expect(try daemon.ctl(["checkpoint"]).status == 0)
        #expect(daemon.stop() == 0)
        try FileManager.default.moveItem(atPath: daemon.dataDir, toPath: dir.path + "/data-before")
        daemon.extraArgs = ["--origin", "other.local/dang-bo"]
        try daemon.start()
        _ = try daemon.append(setupEvents + (0..<9).map { task($0) })
        let after = try daemon.ctl(["checkpoint"])
        #expect(after.status == 1)
        #expect(after.stderr.contains("IS NOT THE ONE YOU VERIFIED"), "\(after.stderr)")
        #expect(after.stderr.contains("origin test.local/dang-bo") && after.stderr.contains("origin other.local/dang-bo"))
        #expect(try daemon.ctl(["status"]).status == 1)
        _ = daemon.stop()
    }

    /// A remembered checkpoint that cannot be read is not silently replaced
    /// by whatever the daemon says now.
    @Test func aDamagedAnchorIsReportedNotReplaced() throws {
        let daemon = try DaemonProcess()
        _ = try daemon.append(setupEvents)
        #expect(try daemon.ctl(["checkpoint"]).status == 0)
        let anchors = daemon.dir.path + "/state/anchors"
        let file = anchors + "/test.local_dang-bo.json"
        #expect(FileManager.default.fileExists(atPath: file))
        try "{\"checkpoint\":".write(toFile: file, atomically: true, encoding: .utf8)
        let after = try daemon.ctl(["checkpoint"])
        #expect(after.status == 1)
        #expect(after.stderr.contains("is damaged"), "\(after.stderr)")
        #expect(try String(contentsOfFile: file, encoding: .utf8) == "{\"checkpoint\":", "left as it was")
        _ = daemon.stop()
    }

    /// A witness whose daemon will not prove that the current checkpoint
    /// extends the one it signed before (here: a reader, the proof needs an
    /// auditor) signs nothing.
    @Test func aWitnessThatCannotCheckConsistencyRefusesToCosign() throws {
        let daemon = try DaemonProcess.configured("socket-mode = 0666\n[roles]\nadmin = uid:0\nreader = uid:65534\n")
        _ = try daemon.append(setupEvents)
        let home = daemon.dir.path + "/witness"
        try FileManager.default.createDirectory(atPath: home, withIntermediateDirectories: false)
        chmod(home, 0o777)
        let nobody = DaemonProcess.asNobody + ["/usr/bin/env", "LEDGER_STATE_DIR=\(home)/state"]
        let key = home + "/witness.key"
        let created = try daemon.ctl(["witness", "--key", key, "--new-key", "--name", "tran-thi-binh"], prefix: nobody)
        #expect(created.status == 0, "\(created.stderr)")
        let first = try daemon.ctl(["witness", "--key", key], prefix: nobody)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("first use"), "\(first.stderr)")
        #expect(try SignedNote.parse(first.stdout).signatures.count == 2)
        _ = try daemon.append([task(1)])
        let second = try daemon.ctl(["witness", "--key", key], prefix: nobody)
        #expect(second.status == 1)
        #expect(second.stdout.isEmpty, "nothing signed: \(second.stdout)")
        #expect(second.stderr.contains("not cosigned"), "\(second.stderr)")
        // A reader's `status --json` with an anchor it cannot prove against:
        // a warning on stderr, and on stdout the status alone (the refused
        // proof is recovered from, not printed as the command's failure).
        let status = try daemon.ctl(["status", "--json"], prefix: nobody)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stderr.contains("not checked: the consistency proof needs the auditor role"), "\(status.stderr)")
        #expect(!status.stderr.contains("permission-denied"), "the refusal recovered from is not printed as an error")
        #expect(status.stdout.split(separator: "\n").count == 1, "\(status.stdout)")
        #expect(try status.json()["size"] == 6)
        _ = daemon.stop()
    }

    /// A witness that cannot remember what it signs would take every
    /// checkpoint as a first one: it signs nothing instead.
    @Test func aWitnessThatCannotRememberRefusesToCosign() throws {
        let daemon = try DaemonProcess()
        _ = try daemon.append(setupEvents)
        let key = daemon.dir.path + "/witness.key"
        #expect(try daemon.ctl(["witness", "--key", key, "--new-key", "--name", "le-van-cuong"]).status == 0)
        let unwritable = ["/usr/bin/env", "LEDGER_STATE_DIR=/dev/null/state"]
        let signed = try daemon.ctl(["witness", "--key", key], prefix: unwritable)
        #expect(signed.status == 1)
        #expect(signed.stdout.isEmpty, "nothing signed: \(signed.stdout)")
        #expect(signed.stderr.contains("cannot remember"), "\(signed.stderr)")
        // Other commands still answer, with a warning.
        let status = try daemon.ctl(["checkpoint"], prefix: unwritable)
        #expect(status.status == 0, "\(status.stderr)")
        #expect(status.stderr.contains("warning: cannot remember"))
        // Once, with the reason, and no claim that it was remembered after all.
        #expect(status.stderr.components(separatedBy: "cannot remember").count == 2, "\(status.stderr)")
        #expect(status.stderr.contains("(/dev/null is not a directory)"), "\(status.stderr)")
        #expect(!status.stderr.contains("remembered this checkpoint"), "\(status.stderr)")
        _ = daemon.stop()
    }

    @Test func aWitnessCosignsTheCurrentCheckpoint() throws {
        let daemon = try DaemonProcess()
        _ = try daemon.append(setupEvents)
        let key = daemon.dir.path + "/witness.key"
        let created = try daemon.ctl(["witness", "--key", key, "--new-key", "--name", "nguyen-van-an"])
        #expect(created.status == 0, "\(created.stderr)")
        let witnessKey = created.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        var mode = stat()
        stat(key, &mode)
        #expect(mode.st_mode & 0o777 == 0o600)
        let cosigned = try daemon.ctl(["witness", "--key", key])
        #expect(cosigned.status == 0, "\(cosigned.stderr)")
        let note = try SignedNote.parse(cosigned.stdout)
        #expect(note.signatures.count == 2)
        let ledgerKey = try daemon.ctl(["pubkey"]).stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try NoteVerifier(verifierKey: ledgerKey).verify(note)
        try NoteVerifier(verifierKey: witnessKey).verify(note)
    }

    @Test func anAuditBundleVerifiesOffline() throws {
        let daemon = try DaemonProcess()
        _ = try daemon.append(setupEvents + (0..<12).map { task($0) })
        let bundle = daemon.dir.path + "/bundle"
        let made = try daemon.ctl(["audit-bundle", bundle])
        #expect(made.status == 0, "\(made.stderr)")
        for file in ["ledger.jsonl", "checkpoint.txt", "checkpoints.jsonl", "key.txt", "VERIFY.md"] {
            #expect(FileManager.default.fileExists(atPath: bundle + "/" + file), "\(file)")
        }
        let verified = try Ctl.run(["verify-export", bundle + "/ledger.jsonl", "--checkpoint", bundle + "/checkpoint.txt",
                                    "--key", bundle + "/key.txt"], socket: nil, dir: daemon.dir)
        #expect(verified.status == 0, "\(verified.stdout)")
        let checkpoints = try String(contentsOfFile: bundle + "/checkpoints.jsonl", encoding: .utf8).split(separator: "\n")
        #expect(checkpoints.count == 2)  // size 0 at creation, then one commit of 17 events
        #expect(try JSONParser.parse(Array(checkpoints[1].utf8))["size"] == 17)
        // The guide tells how to hold a later bundle to this one, with this bundle's size.
        let guide = try String(contentsOfFile: bundle + "/VERIFY.md", encoding: .utf8)
        #expect(guide.contains("--resume prefix.json --save-prefix prefix.json") && guide.contains("ledgerctl export --from 18 --through N"),
                "\(guide)")
    }
}

@Suite struct ReplayTests {
    @Test func replayWritesTheStateAtASeqAndOnADate() throws {
        let daemon = try DaemonProcess()
        _ = try daemon.append(setupEvents + [
            event("MemberAdmitted", ["memberId": "M003", "name": "Lê Văn Cường", "cell": "CB01"], on: "2015-06-01"),
        ])
        let atSeq = daemon.dir.path + "/at-seq-4"
        #expect(try daemon.ctl(["replay", "--at-seq", "4", "--out", atSeq]).status == 0)
        let members = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: atSeq + "/members.json"))))
        #expect(members.arrayValue?.map { $0["memberId"]?.stringValue } == ["M001"])
        let state = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: atSeq + "/state.json"))))
        #expect(state["appliedSeq"] == 4)

        let asOf = daemon.dir.path + "/as-of-2014"
        #expect(try daemon.ctl(["replay", "--as-of", "2014-12-31", "--out", asOf]).status == 0)
        let then = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: asOf + "/members.json"))))
        #expect(then.arrayValue?.compactMap { $0["memberId"]?.stringValue } == ["M001", "M002"])
        let orgs = try JSONParser.parse(Array(try Data(contentsOf: URL(fileURLWithPath: asOf + "/organizations.json"))))
        #expect(orgs.arrayValue?.count == 3)
    }
}
