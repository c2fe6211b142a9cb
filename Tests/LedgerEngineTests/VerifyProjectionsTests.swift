import Foundation
@testable import LedgerEngine
import LedgerJSON
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
