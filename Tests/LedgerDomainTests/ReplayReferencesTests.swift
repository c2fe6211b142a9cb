@testable import LedgerDomain
import Testing

/// A replay that keeps member reference counts in its flat table
/// (`beginKeepingCountsAside`) ends with the state the live ledger
/// built event by event: the same members, and the same counts in each.
@Suite struct ReplayReferencesTests {
    /// `split`: the events applied one by one before the replay starts, as
    /// a restart replays the tail after its snapshot. The replay then works
    /// on members the trie already holds: it counts their references, changes
    /// them, strips retracted entries from them and removes them.
    @Test(arguments: 1...6 as ClosedRange<UInt64>, [0, 120, 280])
    func bufferedReplayEqualsTheLiveState(seed: UInt64, split: Int) throws {
        var model = HistoryModel(seed: seed &* 104_729)
        var ledger = TestLedger()
        var rng = SeededRandom(seed: seed)
        var retractions = 0, accepted = 0
        func retractSomething() {
            let target = 1 + rng.next() % ledger.state.appliedSeq
            do throws(DomainError) {
                try ledger.submit(.eventRetracted(.init(seq: target, reason: "thử")), on: BusinessDate("2030-01-01")!)
                retractions += 1
            } catch {}
        }
        // Retractions among the events too, so that the replay goes on after
        // them: members changed after an entry was stripped, ids registered
        // again after their registration was retracted. (The model does not
        // know of the retractions: what the ledger then refuses is skipped.)
        for i in 0..<300 {
            let (event, day) = model.nextLegal()
            if case .eventRetracted = event { continue }
            do throws(DomainError) {
                _ = try ledger.submit(event, on: day)
                accepted += 1
            } catch {}
            if i % 20 == 19 { retractSomething() }
        }
        #expect(accepted > 200, "seed \(seed): only \(accepted) events accepted")
        // Then more retractions: counts go down, and a member whose creation
        // is retracted leaves the table.
        for _ in 0..<60 { retractSomething() }
        #expect(retractions > 3, "seed \(seed): only \(retractions) retractions")

        var replayed = DomainState()
        for (i, e) in ledger.log.events.enumerated() where i < split {
            replayed.apply(e.event, seq: UInt64(i + 1), occurredOn: e.occurredOn, lookup: ledger.log)
        }
        let before = replayed
        replayed.beginKeepingCountsAside()
        #expect(replayed.keepsCountsAside)
        for (i, e) in ledger.log.events.enumerated() where i >= split {
            replayed.apply(e.event, seq: UInt64(i + 1), occurredOn: e.occurredOn, lookup: ledger.log)
        }
        // Before the write-back the trie's members are as they were before
        // the replay: the replay's members and counts are in its table.
        let counted = ledger.state.members.values.filter { $0.references.count > 0 }.count
        #expect(counted > 10)
        #expect(replayed.members == before.members, "seed \(seed) split \(split)")
        replayed.endKeepingCountsAside()
        #expect(!replayed.keepsCountsAside)
        #expect(replayed == ledger.state, "seed \(seed) split \(split)")
        for (id, member) in ledger.state.members {
            #expect(replayed.members[id]?.references == member.references, "seed \(seed) split \(split) member \(id)")
            #expect(replayed.members[id]?.timeline == member.timeline, "seed \(seed) split \(split) member \(id)")
        }
        #expect(replayed.members.count == ledger.state.members.count)
        #expect(replayed.membersByCell == ledger.state.membersByCell)
    }
}

/// A replay over a state restored from a snapshot with its members still
/// encoded (a restart's tail): a restored member's registration retracted,
/// the id registered again elsewhere, referred to, transferred; a restored
/// member changed, one of its entries stripped again, changed again. The
/// same as the live state built event by event.
@Suite struct ReplayOverRestoredMembersTests {
    @Test func aTailReplayOverEncodedMembersEqualsTheLiveState() throws {
        let day = try #require(BusinessDate("2025-03-10"))
        let later = try #require(BusinessDate("2025-06-10"))
        let head: [DomainEvent] = [
            .organizationRegistered(.init(code: "B", name: "Đảng bộ Khối", kind: .bloc)),
            .organizationRegistered(.init(code: "C1", name: "Chi bộ 1", kind: .cell, parent: "B")),
            .organizationRegistered(.init(code: "C2", name: "Chi bộ 2", kind: .cell, parent: "B")),
            .memberRegistered(.init(memberId: "X", name: "Lê Văn A", cell: "C1", status: .official)),  // seq 4
            .memberRegistered(.init(memberId: "Y", name: "Trần Thị B", cell: "C1", status: .official)),
            .meetingHeld(.init(cell: "C1", kind: .regular, durationMinutes: 60, attendees: ["Y"], minutesRecorded: true)),
        ]
        let tail: [DomainEvent] = [
            .eventRetracted(.init(seq: 4, reason: "nhầm")),  // seq 7: X is gone
            .meetingHeld(.init(cell: "C1", kind: .regular, durationMinutes: 60, attendees: ["Y", "X"],
                               minutesRecorded: true)),  // X named while gone: nothing counted for X
            .memberRegistered(.init(memberId: "X", name: "Lê Văn A", cell: "C2", status: .official)),
            .meetingHeld(.init(cell: "C2", kind: .regular, durationMinutes: 60, attendees: ["X"], minutesRecorded: true)),
            .memberTransferred(.init(memberId: "X", toCell: "C1", kind: .official)),
            .meetingHeld(.init(cell: "C1", kind: .thematic, durationMinutes: 90, attendees: ["X", "Y"],
                               minutesRecorded: true)),
            .qualityEvaluated(.init(subject: .member("Y"), year: 2024, rating: .good)),  // seq 13
            .eventRetracted(.init(seq: 13, reason: "nhầm")),
            .trainingCompleted(.init(memberId: "Y", course: "Nghị quyết", by: "C1")),
        ]
        var log = InMemoryEventLog()
        var live = DomainState()
        for (i, event) in head.enumerated() {
            log.append(event, occurredOn: day)
            live.apply(event, seq: UInt64(i + 1), occurredOn: day, lookup: log)
        }
        var replayed = try DomainState(snapshot: live.snapshot(), lazily: DomainState.LazyMembers())
        #expect(replayed.members["Y"]?.isStillEncoded == true, "the restored members are still encoded")
        replayed.beginKeepingCountsAside()
        for (i, event) in tail.enumerated() {
            let seq = UInt64(head.count + i + 1)
            log.append(event, occurredOn: later)
            live.apply(event, seq: seq, occurredOn: later, lookup: log)
            replayed.apply(event, seq: seq, occurredOn: later, lookup: log)
        }
        replayed.endKeepingCountsAside()
        #expect(replayed == live)
        let x = try #require(replayed.members["X"])
        #expect(x.cell == "C1" && x.registeredSeq == 9)
        #expect(x.references == ReferenceTracker(count: 3, latest: 12), "the transfer and two meetings, nothing from before")
        #expect(x.references == live.members["X"]?.references)
        let y = try #require(replayed.members["Y"])
        #expect(y.qualityRatings.isEmpty && y.trainings.count == 1)
        #expect(y.references == live.members["Y"]?.references)
        #expect(y.references.count == 4, "three meetings and the training")
        #expect(replayed.membersByCell == live.membersByCell)
        #expect(replayed.membersByCell["C2"] == nil && replayed.membersByCell["C1"] == ["X", "Y"])
    }
}

/// The replay's table of trackers, through its growth.
@Suite struct ReplayMemberTableTests {
    @Test func holdsEveryIdThroughGrowth() throws {
        var table = ReplayMemberTable(capacity: 4)
        let ids = (0..<20_000).map { "DV-\($0)" } + ["a-very-long-member-id-kept-on-the-heap"]
        for (n, id) in ids.enumerated() {
            #expect(table.position(of: id, hash: ReplayMemberTable.hash(id)) == nil)
            let p = table.add(id, hash: ReplayMemberTable.hash(id), tracker: ReferenceTracker())
            #expect(p == n, "positions in the order of first reference")
            table[tracker: p].add(UInt64(n + 1))
        }
        #expect(table.count == ids.count)
        for (n, id) in ids.enumerated() where n % 7 == 0 {
            let p = table.position(of: id, hash: ReplayMemberTable.hash(id))
            #expect(p == n)
            if let p { table[tracker: p].add(UInt64(n + 100_000)) }
        }
        #expect(table.position(of: "DV-20000", hash: ReplayMemberTable.hash("DV-20000")) == nil)
        #expect(table.entries.map(\.id) == ids)
        for (n, tracker) in table.entries.map(\.tracker).enumerated() {
            #expect(tracker.count == (n % 7 == 0 ? 2 : 1), "\(ids[n])")
        }
        #expect(table.entries.allSatisfy { !$0.ownsMember && $0.exists }, "trackers of members the trie holds")

        // Owned entries: a member, or the mark that there is none now.
        let member = try #require(Member(id: "DV-owned", timeline: [MemberTimelineEntry(
            seq: 1, occurredOn: BusinessDate(dayNumber: 0),
            change: .registered(name: "Lê Văn A", cell: "C", status: .official, birthYear: nil))]))
        let owned = table.add("DV-owned", hash: ReplayMemberTable.hash("DV-owned"), owning: member, tracker: ReferenceTracker())
        let gone = table.add("DV-gone", hash: ReplayMemberTable.hash("DV-gone"), owning: nil, tracker: ReferenceTracker())
        #expect(table.position(of: "DV-owned", hash: ReplayMemberTable.hash("DV-owned")) == owned)
        #expect(table.entries[owned].ownsMember && table.entries[owned].exists && table.entries[owned].member == member)
        #expect(table.entries[gone].ownsMember && !table.entries[gone].exists)
        table[entry: gone].member = member
        #expect(table.entries[gone].exists, "created again at the same position")
    }
}

/// `forEachReference` (what apply counts) gives exactly `references`, in order.
@Suite struct ForEachReferenceTests {
    @Test(arguments: 1...4 as ClosedRange<UInt64>)
    func agreesWithTheReferenceList(seed: UInt64) {
        var model = HistoryModel(seed: seed &* 7_727)
        var types = Set<EventType>()
        for _ in 0..<600 {
            let (event, _) = model.nextLegal()
            var seen: [EntityRef] = []
            event.forEachReference { seen.append($0) }
            #expect(seen == event.references, "\(event)")
            types.insert(event.type)
        }
        #expect(types.count > 12, "seed \(seed): the history covers most event types")
        let own = DomainEvent.commended(.init(subject: .organization("CB1"), by: "CB1", title: "Chi bộ vững mạnh"))
        var seen: [EntityRef] = []
        own.forEachReference { seen.append($0) }
        #expect(seen == own.references && seen == [.organization("CB1")])
    }
}

/// What the rules refuse but a damaged log may hold: an id registered again
/// while it exists starts afresh, buffered or not (found by a review).
@Suite struct ReplayReferencesReRegistrationTests {
    @Test func anIdRegisteredAgainStartsWithNothingCounted() throws {
        let day = try #require(BusinessDate("2025-03-10"))
        let events: [DomainEvent] = [
            .organizationRegistered(.init(code: "B", name: "Đảng bộ Khối", kind: .bloc)),
            .organizationRegistered(.init(code: "C", name: "Chi bộ 1", kind: .cell, parent: "B")),
            .memberRegistered(.init(memberId: "X", name: "Lê Văn A", cell: "C", status: .official)),
            .meetingHeld(.init(cell: "C", kind: .regular, durationMinutes: 60, attendees: ["X"], minutesRecorded: true)),
            .memberRegistered(.init(memberId: "X", name: "Lê Văn A", cell: "C", status: .official)),
            .meetingHeld(.init(cell: "C", kind: .thematic, durationMinutes: 90, attendees: ["X"], minutesRecorded: true)),
            .organizationRegistered(.init(code: "C", name: "Chi bộ 1", kind: .cell, parent: "B")),
            .qualityEvaluated(.init(subject: .member("X"), year: 2025, rating: .good)),
        ]
        let log = InMemoryEventLog()
        var plain = DomainState()
        var buffered = DomainState()
        buffered.beginKeepingCountsAside()
        for (i, event) in events.enumerated() {
            plain.apply(event, seq: UInt64(i + 1), occurredOn: day, lookup: log)
            buffered.apply(event, seq: UInt64(i + 1), occurredOn: day, lookup: log)
        }
        buffered.endKeepingCountsAside()
        #expect(buffered == plain)
        #expect(buffered.members["X"]?.references == plain.members["X"]?.references)
        #expect(buffered.organizations["C"]?.references == plain.organizations["C"]?.references)
        #expect(buffered.organizations["C"]?.meetingQuarters == plain.organizations["C"]?.meetingQuarters)
        #expect(plain.organizations["C"]?.meetingQuarters.isEmpty == true, "the cell registered again counts no meeting")
    }

    /// An organization whose creation is retracted is read again from the
    /// trie on its next reference; while it is missing (a damaged log refers
    /// to it anyway) nothing is counted, and it is still read again once it
    /// is registered anew: as without the table.
    @Test func aRetractedOrganizationCountsNothingUntilRegisteredAgain() throws {
        let day = try #require(BusinessDate("2025-03-10"))
        let events: [DomainEvent] = [
            .organizationRegistered(.init(code: "B", name: "Đảng bộ Khối", kind: .bloc)),
            .organizationRegistered(.init(code: "C", name: "Chi bộ 1", kind: .cell, parent: "B")),
            .memberRegistered(.init(memberId: "X", name: "Lê Văn A", cell: "C", status: .official)),
            .eventRetracted(.init(seq: 2, reason: "nhầm")),
            .memberRegistered(.init(memberId: "Y", name: "Lê Văn B", cell: "C", status: .official)),
            .trainingCompleted(.init(memberId: "X", course: "Nghị quyết", by: "C")),
            .organizationRegistered(.init(code: "C", name: "Chi bộ 1", kind: .cell, parent: "B")),
            .memberRegistered(.init(memberId: "Z", name: "Lê Văn C", cell: "C", status: .official)),
            .meetingHeld(.init(cell: "C", kind: .regular, durationMinutes: 60, attendees: ["Z"], minutesRecorded: true)),
        ]
        var log = InMemoryEventLog()
        var plain = DomainState()
        var buffered = DomainState()
        buffered.beginKeepingCountsAside()
        for (i, event) in events.enumerated() {
            log.append(event, occurredOn: day)
            plain.apply(event, seq: UInt64(i + 1), occurredOn: day, lookup: log)
            buffered.apply(event, seq: UInt64(i + 1), occurredOn: day, lookup: log)
        }
        buffered.endKeepingCountsAside()
        #expect(buffered == plain)
        let cell = try #require(plain.organizations["C"])
        #expect(cell.references == ReferenceTracker(count: 2, latest: 9), "Z and the meeting, nothing from before")
        #expect(buffered.organizations["C"]?.references == cell.references)
        #expect(buffered.organizations["C"]?.meetingQuarters == cell.meetingQuarters)
        #expect(cell.meetingQuarters.count == 1)
    }

    /// Registered again under another parent (found by a review): the
    /// children index follows, so dissolving the old parent leaves it alone.
    @Test func aCodeRegisteredAgainUnderAnotherParentMovesInTheIndex() throws {
        let day = try #require(BusinessDate("2025-03-10"))
        let log = InMemoryEventLog()
        var state = DomainState()
        let events: [DomainEvent] = [
            .organizationRegistered(.init(code: "B", name: "Khối B", kind: .bloc)),
            .organizationRegistered(.init(code: "D", name: "Khối D", kind: .bloc)),
            .organizationRegistered(.init(code: "C", name: "Chi bộ C", kind: .cell, parent: "B")),
            .organizationRegistered(.init(code: "C", name: "Chi bộ C", kind: .cell, parent: "D")),
        ]
        for (i, event) in events.enumerated() { state.apply(event, seq: UInt64(i + 1), occurredOn: day, lookup: log) }
        #expect(state.childrenByParent["B"] == nil)
        #expect(state.childrenByParent["D"] == ["C"])
        #expect(state.subtree(of: "B") == ["B"] && state.subtree(of: "D") == ["D", "C"])
    }
}
