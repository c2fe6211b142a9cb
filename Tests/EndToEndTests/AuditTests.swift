import Crypto
import Foundation
import Glibc
import LedgerClient
import LedgerJSON
import Synchronization
import Testing

@Suite struct AuditTests {
    /// A daemon with setup + 40 tasks, its export, checkpoint and key in files.
    final class Fixture {
        let daemon: DaemonProcess
        let export: String
        let checkpoint: String
        let key: String

        init() throws {
            daemon = try DaemonProcess()
            _ = try daemon.append(setupEvents + (0..<40).map { task($0) })
            export = daemon.dir.path + "/export.jsonl"
            checkpoint = daemon.dir.path + "/checkpoint.txt"
            key = daemon.dir.path + "/key.txt"
            #expect(try daemon.ctl(["export", "--to", export]).status == 0)
            try daemon.ctl(["checkpoint"]).stdout.write(toFile: checkpoint, atomically: true, encoding: .utf8)
            try daemon.ctl(["pubkey"]).stdout.write(toFile: key, atomically: true, encoding: .utf8)
        }

        func verifyExport(_ lines: [String], checkpoint: String? = nil, key: String? = nil) throws -> Finished {
            let file = daemon.dir.path + "/mutated-\(UUID().uuidString.prefix(6)).jsonl"
            try (lines.joined(separator: "\n") + (lines.isEmpty ? "" : "\n")).write(toFile: file, atomically: true, encoding: .utf8)
            return try Ctl.run(["verify-export", file, "--checkpoint", checkpoint ?? self.checkpoint, "--key", key ?? self.key, "--json"],
                               socket: nil, dir: daemon.dir)
        }

        var lines: [String] { ((try? String(contentsOfFile: export, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init) }
    }

    /// A full disk under an export is said once, with the reason, exit 1.
    @Test func anExportToAFullDiskSaysSoOnce() throws {
        let f = try Fixture()
        let err = f.daemon.dir.path + "/full.err"
        let pid = try Spawn.start(Binaries.ledgerctl, ["export"],
                                  environment: ["PATH": "/usr/bin:/bin", "HOME": f.daemon.dir.path, "LEDGER_SOCKET": f.daemon.socket,
                                                "LEDGER_STATE_DIR": f.daemon.dir.path + "/state"],
                                  stdout: "/dev/full", stderr: err)
        #expect(Spawn.wait(pid) == 1)
        let text = (try? String(contentsOfFile: err, encoding: .utf8)) ?? ""
        #expect(text.components(separatedBy: "No space left on device").count == 2, "\(text)")
    }

    /// The checkpoint and key files given the other way round: a usage
    /// error naming the file, not a parse error of one of them.
    @Test func swappedCheckpointAndKeyFilesAreNamed() throws {
        let f = try Fixture()
        let swapped = try f.verifyExport(f.lines, checkpoint: f.key, key: f.checkpoint)
        #expect(swapped.status == 2, "\(swapped.stderr)")
        #expect(swapped.stderr.contains("holds a verifier key, not a signed checkpoint (were --checkpoint and --key swapped?)"),
                "\(swapped.stderr)")
        let twice = try f.verifyExport(f.lines, checkpoint: f.checkpoint, key: f.checkpoint)
        #expect(twice.status == 2 && twice.stderr.contains("holds a signed note, not a verifier key"), "\(twice.stderr)")
    }

    /// Month by month: the first verification saves what it proved; the
    /// next export holds only the new events and is verified from there; a
    /// checkpoint older than what was verified is refused loudly.
    @Test func aLedgerIsVerifiedMonthByMonthFromWhatWasVerifiedBefore() throws {
        let f = try Fixture()
        let dir = f.daemon.dir.path
        let prefix = dir + "/prefix.json"
        func verify(_ export: String, _ checkpoint: String, _ extra: [String]) throws -> Finished {
            try Ctl.run(["verify-export", export, "--checkpoint", checkpoint, "--key", f.key] + extra, socket: nil, dir: f.daemon.dir)
        }
        let first = try verify(f.export, f.checkpoint, ["--save-prefix", prefix, "--json"])
        #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
        #expect(try first.json()["savedPrefix"]?.stringValue == prefix)
        #expect(try JSONParser.parse(Array(Data(contentsOf: URL(fileURLWithPath: prefix))))["size"] == 45)
        try FileManager.default.copyItem(atPath: prefix, toPath: dir + "/prefix-45.json")

        // A month later: 30 more events, exported from seq 46 through the new checkpoint.
        #expect(try f.daemon.append((40..<70).map { task($0) }).status == 0)
        let checkpoint75 = dir + "/checkpoint-75.txt"
        try f.daemon.ctl(["checkpoint"]).stdout.write(toFile: checkpoint75, atomically: true, encoding: .utf8)
        let june = dir + "/june.jsonl"
        #expect(try f.daemon.ctl(["export", "--from", "46", "--through", "75", "--to", june]).status == 0)
        let second = try verify(june, checkpoint75, ["--resume", prefix, "--save-prefix", prefix])
        #expect(second.status == 0, "\(second.stdout)\(second.stderr)")
        #expect(second.stdout.contains("Hợp lệ: 30 sự kiện mới (seq 46–75) nối tiếp 45 sự kiện đã kiểm trước"), "\(second.stdout)")
        #expect(second.stdout.contains("lần sau: --resume \(prefix) --save-prefix \(prefix), với bản xuất từ seq 76"),
                "\(second.stdout)")
        #expect(try JSONParser.parse(Array(Data(contentsOf: URL(fileURLWithPath: prefix))))["size"] == 75)

        // A whole export (an audit bundle's) after the first month's prefix: its first 45 events must
        // reach the saved root, and the rest the new checkpoint's.
        let whole = dir + "/whole.jsonl"
        #expect(try f.daemon.ctl(["export", "--through", "75", "--to", whole]).status == 0)
        let wholeRun = try verify(whole, checkpoint75, ["--resume", dir + "/prefix-45.json"])
        #expect(wholeRun.status == 0, "\(wholeRun.stdout)")
        #expect(wholeRun.stdout.contains("Hợp lệ: bản xuất đủ, 45 sự kiện đầu khớp phần đã kiểm; 30 sự kiện mới (seq 46–75)"),
                "\(wholeRun.stdout)")
        // One that starts elsewhere: told where to start.
        let late = dir + "/late.jsonl"
        #expect(try f.daemon.ctl(["export", "--from", "50", "--through", "75", "--to", late]).status == 0)
        let misplaced = try verify(late, checkpoint75, ["--resume", dir + "/prefix-45.json", "--json"])
        #expect(misplaced.status == 1)
        #expect(try misplaced.json()["badSeq"] == 46)
        #expect(try misplaced.json()["failure"]?.stringValue?.contains(
            "starts at seq 1 or at seq 46 (ledgerctl export --from 46 --through 75)") == true, "\(misplaced.stdout)")

        // --save-prefix replaces only the file --resume read (an older prefix put in its place
        // would let a rollback to just after it pass), and a failed verification leaves it as it was.
        let before = try Data(contentsOf: URL(fileURLWithPath: prefix))
        let elsewhere = try verify(whole, checkpoint75, ["--resume", dir + "/prefix-45.json", "--save-prefix", prefix])
        #expect(elsewhere.status == 2 && elsewhere.stderr.contains("exists and this run does not resume from it"),
                "\(elsewhere.stderr)")
        let fresh = try verify(whole, checkpoint75, ["--save-prefix", prefix])
        #expect(fresh.status == 2, "\(fresh.stderr)")
        var broken = try String(contentsOfFile: june, encoding: .utf8)
        broken = broken.replacingOccurrences(of: "Nhiệm vụ số 55", with: "Nhiệm vụ số 56")
        try broken.write(toFile: dir + "/june-broken.jsonl", atomically: true, encoding: .utf8)
        let prefix45 = dir + "/prefix-45-copy.json"
        try FileManager.default.copyItem(atPath: dir + "/prefix-45.json", toPath: prefix45)
        let failed = try verify(dir + "/june-broken.jsonl", checkpoint75, ["--resume", prefix45, "--save-prefix", prefix45])
        #expect(failed.status == 1, "\(failed.stdout)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: prefix45)) == Data(contentsOf: URL(fileURLWithPath: dir + "/prefix-45.json")))
        #expect(try Data(contentsOf: URL(fileURLWithPath: prefix)) == before)

        // The first month's checkpoint after 75 verified events: a rollback, shown with both checkpoints.
        let empty = dir + "/empty.jsonl"
        _ = FileManager.default.createFile(atPath: empty, contents: Data())
        let rolledBack = try verify(empty, f.checkpoint, ["--resume", prefix])
        #expect(rolledBack.status == 1)
        #expect(rolledBack.stdout.contains("ROLLBACK: the checkpoint signs 45 events, fewer than the 75 verified before"),
                "\(rolledBack.stdout)")
        let notes = try [String(contentsOfFile: f.checkpoint, encoding: .utf8), String(contentsOfFile: checkpoint75, encoding: .utf8)]
        #expect(notes.allSatisfy { rolledBack.stdout.contains($0) }, "\(rolledBack.stdout)")

        // A damaged or edited prefix file is refused, never trusted: a size, one digit of a subtree's
        // hash, the key of another ledger.
        let saved = try String(contentsOfFile: prefix, encoding: .utf8)
        let hash = String(try #require(saved.firstMatch(of: #/"range":\["([0-9a-f])/#)?.output.1))
        for edited in [saved.replacingOccurrences(of: "\"size\":75", with: "\"size\":76"),
                       saved.replacingOccurrences(of: "\"range\":[\"\(hash)", with: "\"range\":[\"\(hash == "0" ? "1" : "0")")] {
            #expect(edited != saved)
            try edited.write(toFile: dir + "/edited.json", atomically: true, encoding: .utf8)
            let damaged = try verify(empty, checkpoint75, ["--resume", dir + "/edited.json"])
            #expect(damaged.status == 1 && damaged.stdout.contains("the verified prefix \(dir)/edited.json is refused"),
                    "\(damaged.stdout)")
        }
        let other = try DaemonProcess()
        defer { _ = other.stop() }
        try other.ctl(["pubkey"]).stdout.write(toFile: dir + "/other-key.txt", atomically: true, encoding: .utf8)
        let foreign = try Ctl.run(["verify-export", empty, "--checkpoint", checkpoint75, "--key", dir + "/other-key.txt",
                                   "--resume", prefix], socket: nil, dir: f.daemon.dir)
        #expect(foreign.status == 1 && foreign.stdout.contains("does not verify with the key"), "\(foreign.stdout)")
        #expect(try verify(dir + "/missing.json", checkpoint75, ["--resume", dir + "/missing.json"]).status == 1)
    }

    /// Unsigned lines after the checkpoint, accepted on purpose, are not in the saved prefix.
    @Test func aSavedPrefixEndsAtTheCheckpoint() throws {
        let f = try Fixture()
        let signed45 = f.checkpoint
        #expect(try f.daemon.append((40..<45).map { task($0) }).status == 0)
        let longer = f.daemon.dir.path + "/longer.jsonl"
        #expect(try f.daemon.ctl(["export", "--to", longer]).status == 0)
        let prefix = f.daemon.dir.path + "/prefix.json"
        let run = try Ctl.run(["verify-export", longer, "--checkpoint", signed45, "--key", f.key, "--allow-unsigned-tail",
                               "--save-prefix", prefix, "--json"], socket: nil, dir: f.daemon.dir)
        #expect(run.status == 0, "\(run.stdout)")
        #expect(try run.json()["linesBeyondCheckpoint"] == 5)
        #expect(try JSONParser.parse(Array(Data(contentsOf: URL(fileURLWithPath: prefix))))["size"] == 45)
    }

    @Test func anExportVerifiesOfflineAndEveryMutationIsNamed() throws {
        let f = try Fixture()
        let lines = f.lines
        #expect(lines.count == 45)
        let good = try f.verifyExport(lines)
        #expect(good.status == 0, "\(good.stdout)")
        #expect(try good.json()["ok"] == true)

        // One changed byte inside event 17's data.
        var altered = lines
        altered[16] = altered[16].replacingOccurrences(of: "Nhiệm vụ số", with: "Nhiệm vụ sô")
        let bad = try f.verifyExport(altered)
        #expect(bad.status == 1)
        #expect(try bad.json()["badSeq"] == 17)

        var reordered = lines
        reordered.swapAt(9, 10)
        #expect(try f.verifyExport(reordered).json()["badSeq"] == 10)

        var duplicated = lines
        duplicated.insert(lines[4], at: 5)
        #expect(try f.verifyExport(duplicated).json()["badSeq"] == 6)

        let truncated = try f.verifyExport(Array(lines.prefix(30)))
        #expect(truncated.status == 1)
        #expect(try truncated.json()["failure"]?.stringValue?.contains("truncated") == true)
    }

    /// Lines past the checkpoint's size are signed by nobody: an export
    /// with them fails unless they are accepted on purpose; `export
    /// --through` writes exactly what a checkpoint signs.
    @Test func linesAfterTheCheckpointFailUnlessAcceptedAndExportThroughStopsThere() throws {
        let f = try Fixture()
        _ = try f.daemon.append((40..<43).map { task($0) })
        let longer = f.daemon.dir.path + "/longer.jsonl"
        #expect(try f.daemon.ctl(["export", "--to", longer]).status == 0)
        let run = { (extra: [String]) in
            try Ctl.run(["verify-export", longer, "--checkpoint", f.checkpoint, "--key", f.key] + extra,
                        socket: nil, dir: f.daemon.dir)
        }
        let refused = try run(["--json"])
        #expect(refused.status == 1)
        #expect(try refused.json()["ok"] == false)
        #expect(try refused.json()["linesBeyondCheckpoint"] == 3)
        #expect(try refused.json()["failure"]?.stringValue?.contains("covered by no signature") == true)
        #expect(try refused.json()["badSeq"] == nil, "an unsigned line is not called damaged")
        #expect(try refused.json()["firstUnsignedSeq"] == 46)
        let text = try run([])
        #expect(text.status == 1 && text.stdout.contains("KHÔNG HỢP LỆ"), "\(text.stdout)")
        #expect(text.stdout.contains("chưa được ký: seq 46") && !text.stdout.contains("hỏng"), "\(text.stdout)")
        let accepted = try run(["--allow-unsigned-tail"])
        #expect(accepted.status == 0, "\(accepted.stdout)")
        #expect(accepted.stdout.contains("Lưu ý: 3 sự kiện sau checkpoint"), "\(accepted.stdout)")

        // Exactly what the checkpoint (size 45) signs, though the ledger now holds 48.
        let exact = f.daemon.dir.path + "/through.jsonl"
        #expect(try f.daemon.ctl(["export", "--through", "45", "--to", exact]).status == 0)
        #expect(try String(contentsOfFile: exact, encoding: .utf8) == String(contentsOfFile: f.export, encoding: .utf8))
        let verified = try Ctl.run(["verify-export", exact, "--checkpoint", f.checkpoint, "--key", f.key],
                                   socket: nil, dir: f.daemon.dir)
        #expect(verified.status == 0, "\(verified.stdout)")
        #expect(try f.daemon.ctl(["export", "--through", "2"]).lines.count == 2)
    }

    @Test func aCheckpointFromAnotherKeyOrAChangedKeyIsRefused() throws {
        let f = try Fixture()
        let other = try Fixture()
        // The other ledger's checkpoint with this ledger's key.
        let wrongKey = try f.verifyExport(f.lines, key: other.key)
        #expect(wrongKey.status == 1)
        let foreign = try f.verifyExport(f.lines, checkpoint: other.checkpoint, key: other.key)
        #expect(foreign.status == 1)
        // A byte of the signed checkpoint changed.
        var note = try String(contentsOfFile: f.checkpoint, encoding: .utf8)
        note = note.replacingOccurrences(of: "\n45\n", with: "\n44\n")
        let tampered = f.daemon.dir.path + "/tampered-checkpoint.txt"
        try note.write(toFile: tampered, atomically: true, encoding: .utf8)
        #expect(try f.verifyExport(f.lines, checkpoint: tampered).status == 1)
    }

    /// An event rewritten together with its leafHash: only the root tells,
    /// and the ledger's other checkpoints (an audit bundle's) bound where.
    @Test func aLineRewrittenWithItsOwnLeafHashIsLocatedBetweenCheckpoints() throws {
        let daemon = try DaemonProcess()
        _ = try daemon.append(setupEvents)  // seqs 1...5
        for k in 0..<10 { _ = try daemon.append((0..<4).map { task(4 * k + $0) }) }  // a checkpoint every 4
        let bundle = daemon.dir.path + "/bundle"
        #expect(try daemon.ctl(["audit-bundle", bundle]).status == 0)
        let export = bundle + "/ledger.jsonl"
        var lines = try String(contentsOfFile: export, encoding: .utf8).split(separator: "\n").map(String.init)
        #expect(lines.count == 45)
        // Seq 23 says something else, with a leafHash of its own that matches it.
        guard case .object(var record) = try JSONParser.parse(Array(lines[22].utf8)),
              case .object(var data)? = record["data"] else { throw HarnessError("not an event") }
        data["task"] = "Nhiệm vụ đã sửa"
        record["data"] = .object(data)
        record.removeValue(forKey: "leafHash")
        let leaf = SHA256.hash(data: [0] + Array(IndependentJCS.encode(.object(record)).utf8))
        record["leafHash"] = .string(leaf.map { String(format: "%02x", $0) }.joined())
        lines[22] = IndependentJCS.encode(.object(record))
        try (lines.joined(separator: "\n") + "\n").write(toFile: export, atomically: true, encoding: .utf8)

        let args = ["verify-export", export, "--checkpoint", bundle + "/checkpoint.txt", "--key", bundle + "/key.txt"]
        let alone = try Ctl.run(args + ["--json"], socket: nil, dir: daemon.dir)
        #expect(alone.status == 1)
        #expect(try alone.json()["badSeq"] == nil, "one checkpoint cannot say where")
        let located = try Ctl.run(args + ["--checkpoints", bundle + "/checkpoints.jsonl", "--json"], socket: nil, dir: daemon.dir)
        #expect(located.status == 1)
        // Checkpoints at 21 (matches) and 25 (does not): seq 23 is among 22...25.
        #expect(try located.json()["badSeq"] == 22, "\(located.stdout)")
        #expect(try located.json()["badSeqThrough"] == 25)
        let text = try Ctl.run(args + ["--checkpoints", bundle + "/checkpoints.jsonl"], socket: nil, dir: daemon.dir)
        #expect(text.stdout.contains("trong các seq 22–25"), "\(text.stdout)")
        // A checkpoints file that cannot be used leaves the verdict as it is.
        let garbage = daemon.dir.path + "/garbage.jsonl"
        try "not json\n".write(toFile: garbage, atomically: true, encoding: .utf8)
        let unusable = try Ctl.run(args + ["--checkpoints", garbage, "--json"], socket: nil, dir: daemon.dir)
        #expect(unusable.status == 1)
        #expect(try unusable.json()["ok"] == false)
        #expect(try unusable.json()["failure"]?.stringValue?.contains("could not be used") == true, "\(unusable.stdout)")
        _ = daemon.stop()
    }

    /// An independent verifier written from RFC 8785 / RFC 9162 alone agrees
    /// with `verify-export` (here: recompute each leaf with a minimal JCS for
    /// these records and the root with the RFC's recursive definition).
    @Test func anIndependentVerifierAgrees() throws {
        let f = try Fixture()
        var leaves: [[UInt8]] = []
        for line in f.lines {
            guard case .object(var record) = try JSONParser.parse(Array(line.utf8)) else { throw HarnessError("not an object") }
            let claimed = record.removeValue(forKey: "leafHash")?.stringValue
            let bytes = Array(IndependentJCS.encode(.object(record)).utf8)
            let leaf = Array(SHA256.hash(data: [0] + bytes))
            #expect(leaf.map { String(format: "%02x", $0) }.joined() == claimed)
            leaves.append(leaf)
        }
        func mth(_ leaves: ArraySlice<[UInt8]>) -> [UInt8] {
            if leaves.count == 1 { return leaves.first! }
            var k = 1
            while k * 2 < leaves.count { k *= 2 }
            let mid = leaves.startIndex + k
            return Array(SHA256.hash(data: [1] + mth(leaves[leaves.startIndex..<mid]) + mth(leaves[mid...])))
        }
        let root = mth(leaves[...])
        let note = try String(contentsOfFile: f.checkpoint, encoding: .utf8).split(separator: "\n")
        #expect(note[1] == "45")
        #expect(Data(root).base64EncodedString() == note[2])
    }

    @Test func verifyAndRebuildReportProgressOverTheSocket() throws {
        let f = try Fixture()
        let connection = try LedgerConnection(socketPath: f.daemon.socket)
        for verb in ["verify", "rebuild"] {
            var reports: [(Int64, Int64?)] = []
            let result = try connection.call(verb: verb, onProgress: { done, total in reports.append((done, total)) })
            #expect(!reports.isEmpty, "\(verb) sent no progress frame")
            #expect(reports.last.map { $0.0 == 45 && $0.1 == 45 } == true, "\(verb): \(reports)")
            #expect(zip(reports, reports.dropFirst()).allSatisfy { $0.0 <= $1.0 })
            if verb == "verify" { #expect(result["ok"] == true) } else { #expect(result["matches"] == true) }
        }
    }

    @Test func verifyNamesATamperedEventInTheDataFile() throws {
        let f = try Fixture()
        #expect(try f.daemon.ctl(["verify"]).status == 0)
        #expect(f.daemon.stop() == 0)
        let file = f.daemon.dataDir + "/lmdb/data.mdb"
        var data = try Data(contentsOf: URL(fileURLWithPath: file))
        let needle = Data("Nhiệm vụ số 22\"".utf8)
        var changed = 0
        var from = data.startIndex
        while let range = data.range(of: needle, in: from..<data.endIndex) {
            data[range.upperBound - 3] = UInt8(ascii: "9")
            from = range.upperBound
            changed += 1
        }
        #expect(changed > 0)
        try data.write(to: URL(fileURLWithPath: file))
        try f.daemon.start()
        let verify = try f.daemon.ctl(["verify", "--json"])
        #expect(verify.status == 1)
        #expect(try verify.json()["badSeq"] == 28)  // task 22 is event 5 + 22 + 1
    }

    @Test func proofsAreCheckedOffline() throws {
        let f = try Fixture()
        let inclusion = try f.daemon.ctl(["prove", "inclusion", "17"])
        #expect(inclusion.status == 0, "\(inclusion.stderr)")
        let proofFile = f.daemon.dir.path + "/proof.json"
        try inclusion.stdout.write(toFile: proofFile, atomically: true, encoding: .utf8)
        let checked = try Ctl.run(["check-proof", proofFile, "--key", f.key], socket: nil, dir: f.daemon.dir)
        #expect(checked.status == 0, "\(checked.stdout)")
        let leaf = try #require(JSONParser.parse(Array(inclusion.stdout.utf8))["leafHash"]?.stringValue)
        #expect(checked.stdout.contains("event 17") && checked.stdout.contains(leaf), "names the event and its leaf")

        // The same proof relabelled as another event's: the proof is about leaf 16, which is seq 17.
        var relabelled = try JSONParser.parse(Array(inclusion.stdout.utf8))
        if case .object(var object) = relabelled {
            object["seq"] = 42
            relabelled = .object(object)
        }
        try relabelled.canonicalString.write(toFile: proofFile, atomically: true, encoding: .utf8)
        let lying = try Ctl.run(["check-proof", proofFile, "--key", f.key], socket: nil, dir: f.daemon.dir)
        #expect(lying.status == 1)
        #expect(lying.stdout.contains("not seq 42"), "\(lying.stdout)")

        // Endless input is refused at a limit, not read into memory.
        let endless = try Ctl.run(["check-proof", "/dev/zero", "--key", f.key], socket: nil, dir: f.daemon.dir)
        #expect(endless.status == 1)
        #expect(endless.stderr.contains("larger than"), "\(endless.stderr)")
        let endlessNote = try Ctl.run(["verify-export", proofFile, "--checkpoint", "/dev/zero", "--key", f.key],
                                      socket: nil, dir: f.daemon.dir)
        #expect(endlessNote.status == 1)
        #expect(endlessNote.stderr.contains("larger than"), "\(endlessNote.stderr)")

        _ = try f.daemon.append((40..<50).map { task($0) })
        let consistency = try f.daemon.ctl(["prove", "consistency", "45"])
        try consistency.stdout.write(toFile: proofFile, atomically: true, encoding: .utf8)
        #expect(try Ctl.run(["check-proof", proofFile, "--key", f.key], socket: nil, dir: f.daemon.dir).status == 0)

        // A forged proof: one hash changed.
        var forged = try JSONParser.parse(Array(consistency.stdout.utf8))
        if case .object(var object) = forged, case .array(var path)? = object["proof"], !path.isEmpty {
            path[0] = .string(String(repeating: "0", count: 64))
            object["proof"] = .array(path)
            forged = .object(object)
        }
        try forged.canonicalString.write(toFile: proofFile, atomically: true, encoding: .utf8)
        #expect(try Ctl.run(["check-proof", proofFile, "--key", f.key], socket: nil, dir: f.daemon.dir).status == 1)
    }

    @Test func backupUnderAppendsVerifiesAndRestores() throws {
        let f = try Fixture()
        let dest = f.daemon.dir.path + "/backup-1"
        let backup = try f.daemon.ctl(["backup", dest, "--json"])
        #expect(backup.status == 0, "\(backup.stdout) \(backup.stderr)")
        #expect(try backup.json()["verified"] == true)
        let before = try f.daemon.ctl(["status", "--json"]).json()
        #expect(f.daemon.stop() == 0)

        let restored = try DaemonProcess(dir: TempDir(), start: false)
        restored.extraArgs = ["--restore", dest]
        try restored.start()
        let after = try restored.ctl(["status", "--json"]).json()
        #expect(after["size"] == before["size"])
        #expect(after["rootHash"] == before["rootHash"])
        #expect(try restored.ctl(["verify"]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: restored.dataDir + "/restore-staging"))

        // --restore-only puts it in place and exits (OPERATIONS.md's procedure
        // then starts the service); the next start serves the restored ledger.
        let dir = TempDir()
        let pid = try Spawn.start(
            Binaries.ledgerd, ["--data-dir", dir.path + "/data", "--socket", dir.path + "/s.sock", "--restore", dest,
                               "--restore-only"],
            environment: ["PATH": "/usr/bin:/bin", "HOME": dir.path], stdout: dir.path + "/out", stderr: dir.path + "/err")
        #expect(Spawn.wait(pid) == 0, "\((try? String(contentsOfFile: dir.path + "/err", encoding: .utf8)) ?? "")")
        #expect(access(dir.path + "/s.sock", F_OK) != 0, "it never listened")
        let later = try DaemonProcess(dir: dir, start: false)
        later.origin = nil
        try later.start()
        let served = try later.ctl(["status", "--json"]).json()
        #expect(served["size"] == before["size"] && served["rootHash"] == before["rootHash"])
    }

    /// A backup whose data file is empty (or damaged) is refused; the backup
    /// is left as it was and nothing is left where the daemon would serve it.
    @Test func aBadBackupIsRefusedWithNothingLeftInPlace() throws {
        let f = try Fixture()
        let good = f.daemon.dir.path + "/backup-good"
        #expect(try f.daemon.ctl(["backup", good]).status == 0)
        #expect(f.daemon.stop() == 0)
        let fm = FileManager.default

        // An empty data.mdb beside the real key.
        let empty = f.daemon.dir.path + "/backup-empty"
        try fm.createDirectory(atPath: empty + "/lmdb", withIntermediateDirectories: true)
        #expect(fm.createFile(atPath: empty + "/lmdb/data.mdb", contents: Data()))
        try fm.copyItem(atPath: good + "/checkpoint.key", toPath: empty + "/checkpoint.key")
        // The real data with one stored event's byte changed.
        let damaged = f.daemon.dir.path + "/backup-damaged"
        try fm.copyItem(atPath: good, toPath: damaged)
        var data = try Data(contentsOf: URL(fileURLWithPath: damaged + "/lmdb/data.mdb"))
        let needle = Array("Nhiệm vụ số 7\"".utf8)
        let at = try #require(data.firstRange(of: Data(needle))).lowerBound
        data[at] ^= 0x01
        try data.write(to: URL(fileURLWithPath: damaged + "/lmdb/data.mdb"))
        let damagedBytes = data

        for (backup, why) in [(empty, "holds no events"), (damaged, "does not verify")] {
            let dir = TempDir()
            let dataDir = dir.path + "/data"
            let pid = try Spawn.start(
                Binaries.ledgerd, ["--data-dir", dataDir, "--origin", "test.local/dang-bo", "--socket", dir.path + "/s.sock",
                                   "--restore", backup],
                environment: ["PATH": "/usr/bin:/bin", "HOME": dir.path], stdout: dir.path + "/out", stderr: dir.path + "/err")
            // A restore that wrongly succeeds would serve: stopped after a while, and the test fails.
            let done = Atomic<Bool>(false)
            DispatchQueue.global().asyncAfter(deadline: .now() + 30) { if !done.load(ordering: .relaxed) { kill(pid, SIGKILL) } }
            #expect(Spawn.wait(pid) == 1, "ledgerd --restore \(backup) exits 1")
            done.store(true, ordering: .relaxed)
            let log = (try? String(contentsOfFile: dir.path + "/err", encoding: .utf8)) ?? ""
            #expect(log.contains("restore failed") && log.contains(why), "\(log)")
            #expect(!fm.fileExists(atPath: dataDir + "/lmdb/data.mdb"), "nothing in place")
            #expect(!fm.fileExists(atPath: dataDir + "/checkpoint.key"))
            #expect(!fm.fileExists(atPath: dataDir + "/restore-staging"))
        }
        #expect(try fm.attributesOfItem(atPath: empty + "/lmdb/data.mdb")[.size] as? Int == 0, "the backup is only read")
        #expect(!fm.fileExists(atPath: empty + "/lmdb/lock.mdb"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: damaged + "/lmdb/data.mdb")) == damagedBytes)
    }
}

/// RFC 8785 for the values these records hold (strings, integers, objects,
/// arrays, booleans): written here from the RFC's text, independent of
/// LedgerJSON's encoder.
enum IndependentJCS {
    static func encode(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return quote(s)
        case .array(let items): return "[" + items.map(encode).joined(separator: ",") + "]"
        case .object(let object):
            let keys = object.keys.sorted { $0.utf16.lexicographicallyPrecedes($1.utf16) }
            return "{" + keys.map { quote($0) + ":" + encode(object[$0]!) }.joined(separator: ",") + "}"
        }
    }

    static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\u{08}": out += "\\b"
            case "\u{09}": out += "\\t"
            case "\u{0A}": out += "\\n"
            case "\u{0C}": out += "\\f"
            case "\u{0D}": out += "\\r"
            default:
                if scalar.value < 0x20 { out += String(format: "\\u%04x", scalar.value) } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out + "\""
    }
}
