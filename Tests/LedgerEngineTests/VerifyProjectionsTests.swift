import Foundation
@testable import LedgerEngine
import LedgerDomain
import LedgerJSON
@testable import LedgerStore
import Testing

/// `verify` replays the log into a fresh state (on a second thread) and
/// compares it with the live one: a live state that the log does not give is
/// reported, even when every hash and signature checks out.
@Suite struct VerifyProjectionsTests {
    @Test func aLiveStateTheLogDoesNotGiveIsReported() async throws {
        // Two ledgers of the same length whose last events differ.
        let real = TempDir(), other = TempDir()
        for (dir, last) in [(real, meeting("CB01", on: "2024-01-10", attendees: ["M001", "M002"])),
                            (other, event("MemberTaskAssigned", ["memberId": "M002", "task": "Khác"]))] {
            let engine = try openEngine(dir)
            let outcomes = await engine.append(setupEvents + [last], actor: tester, atomic: true)
            #expect(outcomes.allSatisfy { $0.seq != nil })
            #expect(try engine.verify()["ok"] == true)
            engine.shutdown()  // writes the state snapshot at seq 8
        }
        // Give the real ledger a snapshot with its own seq and root but the other's state.
        let realFile = try #require(try SnapshotFile.read(in: real.path))
        let foreign = try #require(try SnapshotFile.read(in: other.path))
        #expect(realFile.seq == 8 && foreign.seq == 8 && realFile.payload != foreign.payload)
        try SnapshotFile.write(.init(seq: 8, root: realFile.root, payload: foreign.payload), in: real.path)

        let engine = try openEngine(real)
        defer { engine.shutdown() }
        let verdict = try engine.verify()
        #expect(verdict["ok"] == false)
        #expect(verdict["projectionsChecked"] == false)
        #expect(verdict["failure"]?.stringValue?.contains("replaying events 1...8 gives a state that differs") == true,
                "\(verdict)")
        // The log itself is intact: every event and checkpoint checked.
        #expect(verdict["eventsChecked"] == 8 && verdict["badSeq"] == nil)
    }
}

/// What `verify` reads on its reading thread and what on its replay thread.
@Suite struct VerifyReadingTests {
    /// A record appended behind the live state (as between a commit and its
    /// publication) is not replayed, but it is still checked: here one whose
    /// `data` is not canonical, which only the general decoder finds.
    @Test func aRecordPastTheLiveStateIsStillCheckedWhole() async throws {
        let dir = TempDir()
        let engine = try openEngine(dir)
        defer { engine.shutdown() }
        let outcomes = await engine.append(setupEvents, actor: tester, atomic: true)
        let last = try #require(outcomes.last?.seq)
        #expect(try engine.verify()["ok"] == true)
        let seq = last + 1
        let text = String(decoding: VerifyReplayTests.record(seq: seq, .memberConfirmed(.init(memberId: "M001"))),
                          as: UTF8.self)
        let spaced = Array(text.replacingOccurrences(of: #""memberId":"M001""#, with: #""memberId": "M001""#).utf8)
        try engine.store.write { batch in
            _ = try batch.append(NewRecord(seq: seq, bytes: spaced, stream: "s/\(seq)", streamVersion: 1,
                                           idempotencyKey: nil, submissionDigest: []))
        }
        let verdict = try engine.verify()
        #expect(verdict["ok"] == false && verdict["badSeq"] == .int(Int64(seq)), "\(verdict)")
        #expect(verdict["failure"]?.stringValue?.contains("canonical") == true, "\(verdict)")
    }

    /// A retraction committed but not yet in the live state has already
    /// removed its meeting's index row, which the live state and the replay
    /// still count: not an index problem.
    @Test func aMeetingRetractedSinceTheLiveStateIsNoIndexProblem() async throws {
        let dir = TempDir()
        let engine = try openEngine(dir)
        defer { engine.shutdown() }
        let held = meeting("CB01", on: "2024-01-10", attendees: ["M001", "M002"])
        let outcomes = await engine.append(setupEvents + [held], actor: tester, atomic: true)
        let meetingSeq = try #require(outcomes.last?.seq)
        #expect(try engine.verify()["ok"] == true)
        let data = try #require(held["data"])
        let day = try #require(BusinessDate("2024-01-10"))
        let row = try #require(MeetingRow(data: data, seq: meetingSeq, day: day))
        let seq = meetingSeq + 1
        let retraction = VerifyReplayTests.record(seq: seq, .eventRetracted(.init(seq: meetingSeq, reason: "Ghi nhầm")))
        try engine.store.write { batch in
            _ = try batch.append(NewRecord(seq: seq, bytes: retraction, stream: "s/\(seq)", streamVersion: 1,
                                           idempotencyKey: nil, submissionDigest: []))
            #expect(try batch.deleteIndex(ProjectionIndexes.meetings, key: row.key))
        }
        let verdict = try engine.verify()
        #expect(verdict["ok"] == true, "\(verdict)")
        // The live state still counts the meeting, and a query of it lists it
        // (its index row is gone: it is read back from the log).
        let meetings = try engine.query(QueryRequest(kind: .meetings(cell: "CB01", from: "2024-01-01", to: "2024-12-31")))
        #expect(meetings["count"] == 1, "\(meetings)")
    }

    /// The stream links read in seq order with one cursor are the links read one by one.
    @Test func streamLinksInOrderAreTheLinks() async throws {
        let dir = TempDir()
        let engine = try openEngine(dir)
        defer { engine.shutdown() }
        let more = [event("MemberTaskAssigned", ["memberId": "M002", "task": "Một"]),
                    event("MemberTaskAssigned", ["memberId": "M002", "task": "Hai"]),
                    event("MemberTaskAssigned", ["memberId": "M001", "task": "Ba"])]
        let outcomes = await engine.append(setupEvents + more, actor: tester, atomic: true)
        let last = try #require(outcomes.last?.seq)
        try engine.store.read { view in
            let links = try view.streamLinksInOrder()
            var linked = 0
            for seq in 1...(last + 2) {  // two seqs past the log: no link
                let previous = try view.previousInStream(seq)
                #expect(try links.previous(of: seq) == previous, "seq \(seq)")
                if let previous, previous > 0 { linked += 1 }
            }
            #expect(linked > 0)  // some events follow others in their stream
        }
    }

    /// The failure named: the reading thread's, or the first record the replay
    /// thread could not decode when that comes first.
    @Test func theEarlierFailureIsNamed() {
        func result(_ failure: LogVerification.Failure?, checked: UInt64) -> LogVerification {
            var r = LogVerification()
            r.failure = failure
            r.eventsChecked = checked
            return r
        }
        let bad = (seq: UInt64(5), reason: "it does not decode: x")
        // Nothing else failed: the replay thread's record.
        var named = LedgerEngine.firstFailure(result(nil, checked: 9), undecodable: bad)
        #expect(named.failure == .badRecord(seq: 5, reason: bad.reason) && named.eventsChecked == 4)
        // The reading thread stopped later (a checkpoint after event 7, a tree node at event 8).
        named = LedgerEngine.firstFailure(result(.badCheckpointSignature(size: 7, reason: "r"), checked: 7), undecodable: bad)
        #expect(named.failure == .badRecord(seq: 5, reason: bad.reason))
        named = LedgerEngine.firstFailure(result(.treeNodeMismatch(level: 1, index: 3), checked: 7), undecodable: bad)
        #expect(named.failure == .badRecord(seq: 5, reason: bad.reason))
        // At the same record: altered bytes are named as such; a missing node is not the first problem.
        let altered = LogVerification.Failure.leafMismatch(seq: 5, stored: "a", computed: "b")
        named = LedgerEngine.firstFailure(result(altered, checked: 4), undecodable: bad)
        #expect(named.failure == altered && named.eventsChecked == 4)
        named = LedgerEngine.firstFailure(result(.missing("tree node at level 0, index 4"), checked: 4), undecodable: bad)
        #expect(named.failure == .badRecord(seq: 5, reason: bad.reason))
        // No record of the replay thread's failed: the reading thread's failure stands.
        named = LedgerEngine.firstFailure(result(altered, checked: 4), undecodable: nil)
        #expect(named.failure == altered && named.eventsChecked == 4)
    }
}

/// A group that overflows the map is retried after the map grows; the state
/// must start the retry from where the group started, not apply it twice.
@Suite struct MapGrowthRetryTests {
    @Test func aGroupRetriedAfterTheMapGrewIsAppliedOnce() async throws {
        let dir = TempDir()
        var configuration = EngineConfiguration(dataDirectory: dir.path, origin: "test.local/dang-bo")
        configuration.mapSizeInitialBytes = 256 << 10
        let engine = try LedgerEngine(configuration: configuration)
        defer { engine.shutdown() }
        #expect(await engine.append(setupEvents, actor: tester, atomic: true).allSatisfy { $0.seq != nil })
        let initialMap = try engine.status()["mapSizeBytes"]?.intValue ?? 0
        let padding = String(repeating: "Phụ trách tổ dân phố, theo dõi đảng viên cư trú. ", count: 12)
        let tasks = (0..<500).map { i in
            event("MemberTaskAssigned", ["memberId": "M002", "task": .string("\(i): \(padding)")])
        }
        // One non-atomic request of ~300 KB: more than the whole initial map.
        let outcomes = await engine.append(tasks, actor: tester, atomic: false)
        #expect(outcomes.allSatisfy { $0.seq != nil }, "\(outcomes.first { $0.seq == nil }.map { "\($0.json)" } ?? "")")
        #expect((try engine.status()["mapSizeBytes"]?.intValue ?? 0) > initialMap)
        let tasksHeld = try engine.withSnapshot { state, _ in state.members["M002"]?.tasks.count }
        #expect(tasksHeld == 500)
        #expect(try engine.verify()["ok"] == true)
    }
}
