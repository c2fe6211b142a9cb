import Foundation
import Synchronization
import LedgerDomain
import LedgerJSON
import Testing

@Suite("State: savepoints and snapshots")
struct StateTests {
    /// Decodes snapshot chunk groups on several threads, as the engine does.
    static let concurrent: DomainState.ChunkRunner = { count, body in
        DispatchQueue.concurrentPerform(iterations: count, execute: body)
    }

    /// A world with a bit of everything.
    static func busyWorld() -> TestLedger {
        var l = TestLedger.world()
        l.ok("MemberRoleAssigned", "2011-01-01", ["memberId": "m1", "organization": "X", "role": "secretary"])
        l.ok("MemberTaskAssigned", "2011-01-02", ["memberId": "m2", "task": "Phụ trách đoàn thanh niên", "assignedBy": "X", "dueOn": "2011-06-30"])
        l.ok("MeetingHeld", "2011-01-10", TestLedger.meeting(kind: "thematic", absentees: ["m4"]))
        l.ok("InspectionFiled", "2011-02-01", ["inspectionId": "i1", "by": "C1", "kind": "violation-inspection", "targetOrganizations": ["X"], "targetMembers": ["m3"], "team": ["A"], "findings": "f"])
        l.ok("InspectionConcluded", "2011-03-01", ["inspectionId": "i1", "conclusion": "c", "violationsFound": true])
        l.ok("DisciplineImposed", "2011-03-05", ["disciplineId": "d1", "subjectKind": "member", "subject": "m3", "form": "expulsion", "decidedBy": "C1", "reason": "r", "inspectionId": "i1"])
        l.ok("DisciplineAppealed", "2011-03-10", ["disciplineId": "d1", "grounds": "g"])
        l.ok("DisciplineRevised", "2011-04-10", ["disciplineId": "d1", "outcome": "reduced", "newForm": "warning"])
        l.ok("DisciplineImposed", "2011-05-05", ["disciplineId": "d2", "subjectKind": "organization", "subject": "Z", "form": "dissolution", "decidedBy": "B", "reason": "r"])
        l.ok("MemberConfirmed", "2011-01-03", ["memberId": "p1"])
        l.ok("MemberTransferred", "2011-06-01", ["memberId": "m4", "toCell": "Y", "kind": "temporary"])
        l.ok("MemberRetired", "2011-07-01", ["memberId": "m5"])
        l.ok("MemberTransferredToResidence", "2011-08-01", ["memberId": "m5", "residenceOrganization": "Chi bộ khu phố 1"])
        l.ok("QualityEvaluated", "2012-01-05", ["subjectKind": "member", "subject": "m1", "year": 2011, "rating": "excellent"])
        l.ok("QualityEvaluated", "2012-01-05", ["subjectKind": "organization", "subject": "X", "year": 2011, "rating": "good"])
        l.ok("Commended", "2012-01-06", ["subjectKind": "organization", "subject": "C1", "by": "B", "title": "T"])
        l.ok("TrainingCompleted", "2012-01-07", ["memberId": "m2", "course": "c", "by": "C1"])
        let t = l.ok("MemberTaskAssigned", "2012-01-08", ["memberId": "m2", "task": "x"])
        l.ok("EventRetracted", "2012-01-09", ["seq": .int(Int64(t)), "reason": "trùng"])
        return l
    }

    @Test func snapshotRoundTrips() throws {
        let l = Self.busyWorld()
        let bytes = l.state.snapshot()
        let restored = try DomainState(snapshot: bytes)
        #expect(restored == l.state)
        #expect(restored.snapshot() == bytes)
        #expect(restored.appliedSeq == l.log.nextSeq - 1)
        #expect(try DomainState(snapshot: DomainState().snapshot()) == DomainState())
    }

    @Test func damagedSnapshotsAreRefused() {
        let bytes = Self.busyWorld().state.snapshot()
        for cut in [0, 3, 4, bytes.count / 2, bytes.count - 1] {
            #expect(throws: DomainError.self) { try DomainState(snapshot: Array(bytes.prefix(cut))) }
        }
        #expect(throws: DomainError.self) { try DomainState(snapshot: bytes + [0]) }
        var wrongVersion = bytes
        wrongVersion[3] = 4
        #expect(throws: DomainError.self) { try DomainState(snapshot: wrongVersion) }
        // A chunk cut short or run long is refused, whatever its neighbours say.
        let chunked = Self.busyWorld().state.snapshot(membersPerChunk: 2)
        for cut in stride(from: 1, to: chunked.count, by: 7) {
            #expect(throws: DomainError.self) { try DomainState(snapshot: Array(chunked.prefix(cut))) }
        }
    }

    /// Members are written in chunks, decoded one by one or on several
    /// threads at once, then joined: every way gives the same state, the same
    /// derived indexes, and the same bytes again.
    @Test(arguments: [1, 2, 5, 6, 1000])
    func chunkedMembersRoundTripOnOneOrManyThreads(membersPerChunk: Int) throws {
        let state = Self.busyWorld().state
        let bytes = state.snapshot(membersPerChunk: membersPerChunk)
        let ways = [
            try DomainState(snapshot: bytes),
            try DomainState(snapshot: bytes, decodingChunksWith: Self.concurrent, groups: 2),
            try DomainState(snapshot: bytes, decodingChunksWith: Self.concurrent, groups: 4),
            try DomainState(snapshot: bytes, decodingChunksWith: Self.concurrent, groups: 64),
        ]
        for restored in ways {
            #expect(restored == state)
            #expect(restored.membersByCell == state.membersByCell)
            #expect(restored.childrenByParent == state.childrenByParent)
            #expect(restored.snapshot(membersPerChunk: membersPerChunk) == bytes)
        }
    }

    /// Hostile input: the file's checksum guards the snapshot, but the decoder
    /// must not trust it either. Any byte changed to anything gives a state or
    /// a `snapshot-damaged` error, never a trap, on one thread or several.
    @Test func anyChangedByteIsDecodedOrRefusedNeverTrapped() {
        let bytes = Self.busyWorld().state.snapshot(membersPerChunk: 2)
        var random = SeededRandom(seed: 99)
        var refused = 0
        for _ in 0..<400 {
            var changed = bytes
            let at = Int(random.next() % UInt64(bytes.count))
            changed[at] = UInt8(truncatingIfNeeded: random.next())
            do {
                _ = try DomainState(snapshot: changed, decodingChunksWith: Self.concurrent, groups: 3)
            } catch {
                #expect(error.code == .snapshotDamaged)
                refused += 1
            }
        }
        #expect(refused > 100)
    }

    /// Members are stored in ascending id order; a file with two of them
    /// swapped (or one twice) is refused, whichever way it is restored, even
    /// when the swap crosses from one core's run of chunks to the next.
    @Test func membersOutOfOrderAreRefused() throws {
        let bytes = Self.busyWorld().state.snapshot(membersPerChunk: 1)
        // magic, applied seq (one byte here), the organizations' part, the
        // member and chunk counts (one byte each), then the chunks.
        func fixed64(_ at: Int) -> Int { (0..<8).reduce(0) { $0 | Int(bytes[at + $1]) << (8 * $1) } }
        #expect(bytes[4] < 0x80)
        var at = 5
        at += 8 + fixed64(at)
        let chunkCount = Int(bytes[at + 1])
        at += 2
        var chunks: [[UInt8]] = []
        for _ in 0..<chunkCount {
            let length = fixed64(at)
            chunks.append(Array(bytes[at..<(at + 8 + length)]))
            at += 8 + length
        }
        let head = Array(bytes[..<(at - chunks.reduce(0) { $0 + $1.count })])
        let tail = Array(bytes[at...])
        #expect(try DomainState(snapshot: head + chunks.joined() + tail) == Self.busyWorld().state)
        for (i, j) in [(0, 1), (2, 3), (1, chunkCount - 1)] {
            var swapped = chunks
            swapped.swapAt(i, j)
            var repeated = chunks
            repeated[j] = chunks[i]
            for changed in [head + swapped.joined() + tail, head + repeated.joined() + tail] {
                for lazily in [nil, DomainState.LazyMembers()] {
                    for groups in [1, 3] {
                        #expect(throws: DomainError.self, "chunks \(i), \(j), \(groups) groups") {
                            try DomainState(snapshot: changed, decodingChunksWith: Self.concurrent, groups: groups, lazily: lazily)
                        }
                    }
                }
            }
        }
    }

    /// Version 2 (members as id, timeline, trackers; no part lengths), the
    /// format before this one, is still read, one way or many.
    @Test(arguments: [1, 3, 1000])
    func versionTwoSnapshotsAreStillRead(membersPerChunk: Int) throws {
        let state = Self.busyWorld().state
        let two = state.snapshot(membersPerChunk: membersPerChunk, format: .version2)
        #expect(Array(two.prefix(4)) == [0x4C, 0x44, 0x53, 0x02])
        for restored in [try DomainState(snapshot: two), try DomainState(snapshot: two, decodingChunksWith: Self.concurrent, groups: 3)] {
            #expect(restored == state)
            #expect(restored.membersByCell == state.membersByCell)
            #expect(restored.snapshot() == state.snapshot())
        }
    }

    /// Version 1 (one run of members, no chunk headers) is still read: the
    /// same bytes as a one-chunk version 2 without the chunk count and header.
    @Test func versionOneSnapshotsAreStillRead() throws {
        let state = Self.busyWorld().state
        let two = state.snapshot(membersPerChunk: 1000, format: .version2)
        // Find `count(6) count(1) fixed64(length) count(6)` and drop its middle.
        let members = UInt8(state.members.count)
        var one: [UInt8]?
        for p in 4..<(two.count - 12) where two[p] == members && two[p + 1] == 1 && two[p + 10] == members {
            let length = (0..<8).reduce(0) { $0 | Int(two[p + 2 + $1]) << (8 * $1) }
            guard p + 10 + length <= two.count else { continue }
            var candidate = Array(two[0..<3]) + [1] + Array(two[4...p]) + Array(two[(p + 11)...])
            candidate[3] = 1
            if let decoded = try? DomainState(snapshot: candidate), decoded == state { one = candidate }
        }
        let version1 = try #require(one)
        let restored = try DomainState(snapshot: version1)
        #expect(restored == state)
        #expect(restored.membersByCell == state.membersByCell)
    }

    /// A lazy restore hands over its encoded members in the snapshot's order
    /// (ascending ids, in runs of neighbouring chunks), once: the very boxes
    /// of the state, so folding them there folds the state's members.
    @Test(arguments: [1, 2, 1000])
    func aLazyRestoreHandsOverItsMembersInTheSnapshotsOrder(membersPerChunk: Int) throws {
        let state = Self.busyWorld().state
        let bytes = state.snapshot(membersPerChunk: membersPerChunk)
        let lazily = DomainState.LazyMembers()
        let lazy = try DomainState(snapshot: bytes, decodingChunksWith: Self.concurrent, groups: 2, lazily: lazily)
        let runs = lazily.order.take()
        #expect(lazily.order.take().isEmpty)  // once
        #expect(runs.count == min(2, (state.members.count + membersPerChunk - 1) / membersPerChunk))
        #expect(runs.joined().allSatisfy { $0.isStillEncoded })
        for member in runs.joined() { member.decodeIfNeeded() }
        #expect(lazy.members.values.allSatisfy { !$0.isStillEncoded })
        #expect(runs.joined().map(\.id) == state.members.keys.sorted())
        // A restore that fails hands over nothing.
        let failing = DomainState.LazyMembers()
        var damaged = bytes
        damaged.removeLast()
        #expect(throws: DomainError.self) {
            try DomainState(snapshot: damaged, decodingChunksWith: Self.concurrent, groups: 2, lazily: failing)
        }
        #expect(failing.order.take().isEmpty)
    }

    /// Restored lazily, members stay encoded until read: a snapshot of them
    /// copies their bytes (and gives the same bytes), the maps by cell are
    /// right before any member is folded, and folding gives the same members.
    @Test(arguments: [1, 2, 1000])
    func lazilyRestoredMembersFoldOnFirstUse(membersPerChunk: Int) throws {
        let state = Self.busyWorld().state
        let bytes = state.snapshot(membersPerChunk: membersPerChunk)
        let lazy = try DomainState(snapshot: bytes, decodingChunksWith: Self.concurrent, groups: 2, lazily: DomainState.LazyMembers())
        #expect(lazy.members.values.allSatisfy { $0.isStillEncoded })
        #expect(lazy.snapshot(membersPerChunk: membersPerChunk) == bytes)
        #expect(lazy.membersByCell == state.membersByCell)
        #expect(lazy.members.values.allSatisfy { $0.isStillEncoded })
        let m1 = try #require(lazy.members["m1"])
        #expect(m1 == state.members["m1"]!)
        #expect(!m1.isStillEncoded)
        #expect(lazy.members.values.filter { $0.isStillEncoded }.count == state.members.count - 1)
        #expect(lazy == state)
        #expect(lazy.members.values.allSatisfy { !$0.isStillEncoded })
        #expect(lazy.snapshot(membersPerChunk: membersPerChunk) == bytes)
    }

    /// Many threads reading the same lazily restored members at once each see
    /// the whole member: each is folded once, whoever comes first.
    @Test func lazilyRestoredMembersFoldOnceUnderConcurrentReads() throws {
        let state = Self.busyWorld().state
        let bytes = state.snapshot(membersPerChunk: 2)
        for _ in 0..<20 {
            let lazy = try DomainState(snapshot: bytes, lazily: DomainState.LazyMembers())
            let ids = Array(state.members.keys)
            let mismatches = Atomic(0)
            DispatchQueue.concurrentPerform(iterations: 8) { thread in
                for id in ids.shuffled() {
                    let member = lazy.members[id]!
                    if member.timeline.count != state.members[id]!.timeline.count || member.cell != state.members[id]!.cell
                        || member.tasks.count != state.members[id]!.tasks.count || thread < 0
                    {
                        mismatches.add(1, ordering: .relaxed)
                    }
                }
            }
            #expect(mismatches.load(ordering: .relaxed) == 0)
            #expect(lazy == state)
        }
    }

    /// The rules and appends work on members still encoded: a lazily restored
    /// ledger goes on exactly like one folded at once.
    @Test func appendsToALazilyRestoredStateMatchAnEagerOne() throws {
        var eager = Self.busyWorld()
        var lazy = eager
        let bytes = eager.state.snapshot(membersPerChunk: 2)
        eager.state = try DomainState(snapshot: bytes)
        lazy.state = try DomainState(snapshot: bytes, lazily: DomainState.LazyMembers())
        func more(_ l: inout TestLedger) {
            l.ok("MemberTaskAssigned", "2012-02-01", ["memberId": "m1", "task": "Một", "assignedBy": "X"])
            l.ok("MemberTransferred", "2012-02-04", ["memberId": "m2", "toCell": "Y", "kind": "official"])
            l.ok("MeetingHeld", "2012-02-10", TestLedger.meeting(attendees: ["m1"]))
            l.ok("MemberRetired", "2012-02-05", ["memberId": "m4"])
        }
        more(&eager)
        more(&lazy)
        #expect(lazy.state.members.values.contains { $0.isStillEncoded })
        #expect(lazy.state.snapshot() == eager.state.snapshot())
        #expect(lazy.state == eager.state)
        #expect(lazy.state.membersByCell == eager.state.membersByCell)
    }

    @Test func replayFromTheLogGivesTheSameState() {
        let l = Self.busyWorld()
        var replay = DomainState()
        for (i, e) in l.log.events.enumerated() {
            replay.apply(e.event, seq: UInt64(i + 1), occurredOn: e.occurredOn, lookup: l.log)
        }
        #expect(replay == l.state)
    }

    @Test func rollbackRestoresExactly() {
        var l = Self.busyWorld()
        let before = l.state
        let beforeBytes = before.snapshot()
        let outer = l.state.beginSavepoint()
        l.ok("MemberAdmitted", "2012-02-01", ["memberId": "n1", "name": "N", "cell": "X"])
        let inner = l.state.beginSavepoint()
        l.ok("MeetingHeld", "2012-02-02", TestLedger.meeting(attendees: ["m1", "n1"]))
        l.ok("OrganizationDissolved", "2012-02-03", ["code": "C1", "reason": "r"])
        l.state.rollback(to: inner)
        #expect(l.state.members["n1"] != nil)
        #expect(!l.state.organizations["C1"]!.isDissolved)
        let inner2 = l.state.beginSavepoint()
        l.ok("MemberTransferred", "2012-02-05", ["memberId": "n1", "toCell": "Y", "kind": "official"])
        l.state.release(inner2)
        l.state.rollback(to: outer)
        #expect(l.state == before)
        #expect(l.state.snapshot() == beforeBytes)
    }

    /// Appends to entities that existed before the savepoint, several to the
    /// same member, are undone by re-folding: the state is equal to the one
    /// before, byte for byte, and so are the untouched copies made meanwhile.
    @Test func rollbackOfAppendsToExistingEntitiesRestoresExactly() {
        var l = Self.busyWorld()
        let before = l.state
        let beforeBytes = before.snapshot()
        let sp = l.state.beginSavepoint()
        l.ok("MemberTaskAssigned", "2012-02-01", ["memberId": "m1", "task": "Một", "assignedBy": "X"])
        let midway = l.state
        l.ok("MemberRoleAssigned", "2012-02-02", ["memberId": "m1", "organization": "X", "role": "deputy-secretary"])
        l.ok("MemberTaskAssigned", "2012-02-03", ["memberId": "m1", "task": "Hai"])
        l.ok("MemberTransferred", "2012-02-04", ["memberId": "m1", "toCell": "Y", "kind": "official"])
        l.ok("MemberRetired", "2012-02-05", ["memberId": "m2"])
        l.ok("QualityEvaluated", "2013-01-05", ["subjectKind": "organization", "subject": "X", "year": 2012, "rating": "good"])
        l.ok("Commended", "2013-01-06", ["subjectKind": "organization", "subject": "X", "by": "B", "title": "T2"])
        l.ok("OrganizationDissolved", "2013-02-03", ["code": "Y", "reason": "sáp nhập"])
        #expect(l.state.members["m1"]!.tasks.count == before.members["m1"]!.tasks.count + 2)
        l.state.rollback(to: sp)
        #expect(l.state == before)
        #expect(l.state.snapshot() == beforeBytes)
        #expect(l.state.membersByCell == before.membersByCell)
        #expect(midway.members["m1"]!.tasks.count == before.members["m1"]!.tasks.count + 1)
    }

    /// The report's O(1) task question agrees with the task list, retracted tasks included.
    @Test func hasTaskAnswersLikeTheTaskList() throws {
        var l = Self.busyWorld()
        l.ok("MemberTaskAssigned", "2011-03-01", ["memberId": "m1", "task": "Sau"])
        l.ok("MemberTaskAssigned", "2011-02-01", ["memberId": "m1", "task": "Trước"])
        for member in l.state.members.values {
            for day in ["2010-12-31", "2011-01-02", "2011-01-08", "2011-02-01", "2011-02-15", "2011-03-01", "2030-01-01"] {
                let date = try #require(BusinessDate(day))
                #expect(member.hasTask(assignedOnOrBefore: date) == member.tasks.contains { $0.assignedOn <= date },
                        "\(member.id) on \(day)")
            }
        }
        #expect(l.state.members["m1"]!.hasTask(assignedOnOrBefore: BusinessDate("2011-02-01")!))
        // m2's second task (2012-01-08) was retracted: only the first one counts.
        #expect(l.state.members["m2"]!.tasks.count == 1)
        #expect(!l.state.members["m3"]!.hasTask(assignedOnOrBefore: BusinessDate("2030-01-01")!))
    }

    @Test func releaseKeepsChangesAndStopsRecording() {
        var l = Self.busyWorld()
        let sp = l.state.beginSavepoint()
        l.ok("MemberAdmitted", "2012-02-01", ["memberId": "n1", "name": "N", "cell": "X"])
        l.state.release(sp)
        #expect(l.state.members["n1"] != nil)
        let copy = l.state
        l.ok("MemberAdmitted", "2012-02-01", ["memberId": "n2", "name": "N", "cell": "X"])
        #expect(copy.members["n2"] == nil)  // value semantics
    }

    @Test func timelinesAnswerAsOfQuestions() {
        let l = Self.busyWorld()
        let m4 = l.state.members["m4"]!
        #expect(m4.standing(on: date("2011-05-31"))!.cell == "X")
        #expect(m4.standing(on: date("2011-06-01"))!.cell == "Y")
        #expect(m4.standing(on: date("2010-01-01")) == nil)
        let m3 = l.state.members["m3"]!
        #expect(m3.isActive)  // expulsion reduced to a warning
        #expect(m3.standing(on: date("2011-03-20"))!.isActive == false)
        #expect(l.state.disciplines["d1"]!.currentForm == .warning)
        #expect(l.state.organizations["Z"]!.isDissolved)
        #expect(l.state.organizations["Z"]!.standing(on: date("2011-05-04"))!.isDissolved == false)
        let m5 = l.state.members["m5"]!
        #expect(m5.departure == .transferredToResidence(residenceOrganization: "Chi bộ khu phố 1"))
        #expect(m5.retiredOn == date("2011-07-01"))
        #expect(l.state.members["m2"]!.tasks.count == 1)
        #expect(l.state.activeMembers(ofCell: "X").map(\.id) == ["m1", "m2", "m3", "p1"])
        #expect(l.state.subtree(of: "B") == ["B", "C1", "Z", "X", "Y"])
        #expect(l.state.ancestors(of: "X") == ["C1", "B"])
    }
}

/// Dates go back to 1900: a member whose history starts before 1970 can
/// still change standing in date order (found by a review: the fold started
/// from 1970-01-01, so every such change was "out of order").
@Suite struct EarlyHistoryTests {
    @Test func aMemberRegisteredBefore1970CanBeConfirmedAndTransferred() {
        var l = TestLedger()
        l.ok("OrganizationRegistered", "1960-01-01", ["code": "B", "name": "Đảng bộ Khối", "kind": "bloc"])
        l.ok("OrganizationRegistered", "1960-01-02", ["code": "X", "name": "Chi bộ X", "kind": "cell", "parent": "B"])
        l.ok("OrganizationRegistered", "1960-01-02", ["code": "Y", "name": "Chi bộ Y", "kind": "cell", "parent": "B"])
        l.ok("MemberAdmitted", "1965-03-01", ["memberId": "m1", "name": "Lê Văn Xưa", "cell": "X"])
        l.ok("MemberConfirmed", "1966-03-01", ["memberId": "m1"])
        l.ok("MemberTransferred", "1968-05-01", ["memberId": "m1", "toCell": "Y", "kind": "official"])
        #expect(l.state.members["m1"]?.cell == "Y")
        #expect(l.state.members["m1"]?.lastStandingChangeOn == BusinessDate("1968-05-01"))
    }
}
