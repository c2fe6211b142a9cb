import HashTreeCollections

/// Reference counts and meeting tallies kept aside while a replay applies events.
///
/// A meeting counts a reference on every participant, about ten an event, and
/// each count is a walk down the members' trie to the member's node: the
/// hottest work of a replay, nearly all of it cache misses. While a replay
/// runs, the counts of the members it touched live instead in a table
/// (`MemberTrackerTable`), loaded from the trie on a member's first
/// reference and written back into the trie, once per member, when the
/// replay ends. Each cell also remembers where its meetings' participants
/// are in the table, so a meeting finds them in a short list, mostly in
/// order, not in the table's index (a hash and a cache miss each).
/// Organizations' reference counts and their cells' meeting tallies are
/// kept aside the same way (`OrganizationReplay`, one lookup a meeting); at
/// the end the trackers are written back and the tallies added.
///
/// Only a replay may use it (`PipelinedReplay`): between the two calls the
/// trackers in `members` and `organizations`, and the tallies, are stale, so nothing
/// may read the state: no rule check, no query, no snapshot, no copy handed
/// out. Savepoints are refused meanwhile (their undo steps would restore the
/// stale trackers).
extension DomainState {
    /// What a replay keeps aside: members' trackers in a table, organizations' by code.
    struct ReplayReferences: Sendable {
        var table = MemberTrackerTable()
        /// By code: what the replay keeps aside for each organization referred to.
        var organizations: [String: OrganizationReplay] = [:]
    }

    /// An organization's reference tracker and meeting tallies while a replay
    /// runs, and, for a cell, where its meetings' participants are in the table.
    struct OrganizationReplay: Sendable {
        /// The tracker, read from the organization on first use.
        var tracker: ReferenceTracker
        /// Meetings counted (or uncounted) since, by quarter; added to the
        /// organization's `meetingQuarters` at the end.
        var quarters: [(quarter: Int, regular: Int32, thematic: Int32)] = []
        /// The table positions of the cell's meetings' participants.
        var known: [Int] = []
        /// The organization left the trie or was created anew: read it again on next use.
        var forgotten = false

        /// What stands in a dictionary slot while its value is taken out (`takeKept`).
        static var empty: OrganizationReplay { OrganizationReplay(tracker: ReferenceTracker()) }
    }

    /// Whether reference counts and meeting tallies are kept aside (a replay runs).
    public var keepsCountsAside: Bool { replayReferences != nil }

    /// Starts keeping reference counts and meeting tallies aside, for a replay.
    public mutating func beginKeepingCountsAside() {
        precondition(replayReferences == nil, "counts are already kept aside")
        precondition(!recording, "a replay does not run inside a savepoint")
        replayReferences = ReplayReferences()
    }

    /// Writes what was kept aside back into the members and organizations,
    /// and stops keeping it aside. The state may be read again afterwards.
    public mutating func endKeepingCountsAside() {
        guard let references = replayReferences.take() else { return }
        let table = references.table
        for entry in table.entries where entry.tracker != Self.forgottenTracker {
            _ = members.modifyExisting(entry.id) { $0.references = entry.tracker }
        }
        for (code, kept) in references.organizations where !kept.forgotten {
            _ = organizations.modifyExisting(code) { org in
                org.references = kept.tracker
                for q in kept.quarters {
                    var tally = org.meetingQuarters[q.quarter] ?? QuarterTally()
                    tally.regular += q.regular
                    tally.thematic += q.thematic
                    org.meetingQuarters[q.quarter] = tally.regular == 0 && tally.thematic == 0 ? nil : tally
                }
            }
        }
    }

    /// Moves what the replay keeps for organization `code` out of the
    /// dictionary into `kept` (swapped, not copied), read from
    /// `organizations` on first use or again once forgotten; returns its
    /// slot, or nil if there is no such organization. Give it back with
    /// `putKept`. Out of the dictionary while in use, so that the member
    /// table beside it can change; no closure, so that nothing a caller
    /// passes (a meeting's lists) is copied into one.
    private static func takeKept(
        _ code: String, _ references: inout ReplayReferences, organizations: TreeDictionary<String, Organization>,
        into kept: inout OrganizationReplay
    ) -> Dictionary<String, OrganizationReplay>.Index? {
        let slot: Dictionary<String, OrganizationReplay>.Index
        if let found = references.organizations.index(forKey: code) {
            slot = found
        } else {
            guard let tracker = organizations[code]?.references else { return nil }
            references.organizations[code] = OrganizationReplay(tracker: tracker)
            slot = references.organizations.index(forKey: code)!
        }
        swap(&kept, &references.organizations.values[slot])
        if kept.forgotten {
            guard let tracker = organizations[code]?.references else {
                swap(&kept, &references.organizations.values[slot])
                return nil
            }
            kept = OrganizationReplay(tracker: tracker)
        }
        return slot
    }

    /// Puts back what `takeKept` took out (no other key may have been added meanwhile).
    private static func putKept(
        _ kept: inout OrganizationReplay, at slot: Dictionary<String, OrganizationReplay>.Index,
        _ references: inout ReplayReferences
    ) {
        swap(&kept, &references.organizations.values[slot])
    }

    /// Counts (or uncounts) a reference to organization `code` aside (none
    /// if the state holds no such organization, as without the table).
    mutating func adjustBufferedOrganizationReference(_ code: String, seq: UInt64, adding: Bool) {
        guard var references = replayReferences.take() else { return }
        defer { replayReferences = references }
        var kept = OrganizationReplay.empty
        guard let slot = Self.takeKept(code, &references, organizations: organizations, into: &kept) else { return }
        if adding { kept.tracker.add(seq) } else { kept.tracker.remove(seq) }
        Self.putKept(&kept, at: slot, &references)
    }

    /// Counts (`delta` 1) or uncounts (−1) a meeting of `cell` in `quarter` aside.
    mutating func tallyBufferedMeeting(cell: String, kind: MeetingKind, quarter: Int, delta: Int32) {
        guard var references = replayReferences.take() else { return }
        defer { replayReferences = references }
        var kept = OrganizationReplay.empty
        guard let slot = Self.takeKept(cell, &references, organizations: organizations, into: &kept) else {
            return assertionFailure("meeting of unknown cell \(cell)")  // as `tallyMeeting`
        }
        kept.tally(quarter, kind, delta)
        Self.putKept(&kept, at: slot, &references)
    }

    /// A replayed meeting: its tally, its reference to its cell and its
    /// participants' references, all counted aside (`DomainEvent.references`
    /// without building the list).
    mutating func applyBufferedMeeting(_ meeting: MeetingHeld, seq: UInt64, on date: BusinessDate) {
        guard var references = replayReferences.take() else { return }
        defer { replayReferences = references }
        var kept = OrganizationReplay.empty
        if let slot = Self.takeKept(meeting.cell, &references, organizations: organizations, into: &kept) {
            kept.tally(date.quarterIndex, meeting.kind, 1)
            kept.tracker.add(seq)
            Self.addParticipantReferences(of: meeting, seq: seq, known: &kept.known, references: &references,
                                          members: members)
            Self.putKept(&kept, at: slot, &references)
        } else {
            assertionFailure("meeting of unknown cell \(meeting.cell)")
            // As without the table: the participants are still counted.
            var none: [Int] = []
            Self.addParticipantReferences(of: meeting, seq: seq, known: &none, references: &references, members: members)
        }
    }

    /// An organization leaves the trie (its creation retracted) or is created
    /// anew: what is kept for it is marked to be read from the trie again.
    mutating func forgetBufferedOrganization(_ code: String) {
        guard replayReferences?.organizations[code] != nil else { return }
        replayReferences?.organizations[code]?.forgotten = true
    }

    /// Counts (or uncounts) a reference to member `id` in the replay's table
    /// (none if the state holds no such member, as without the table).
    mutating func adjustBufferedMemberReference(_ id: String, seq: UInt64, adding: Bool) {
        guard var references = replayReferences.take() else { return }
        defer { replayReferences = references }
        guard let p = Self.position(of: id, hash: MemberTrackerTable.hash(id), in: &references, members: members) else {
            return
        }
        if adding { references.table[tracker: p].add(seq) } else { references.table[tracker: p].remove(seq) }
    }

    /// Counts the references of a meeting's participants (`DomainEvent.participants`):
    /// each once, without building the list. A participant named twice is
    /// seen by its tracker: its latest reference is this very event.
    ///
    /// The cell's list of known participants (`known`) is searched from just
    /// after the last one found: a cell's meetings list its members in the
    /// same order, so the first comparison nearly always finds the id, and no
    /// id is hashed.
    private static func addParticipantReferences(
        of meeting: MeetingHeld, seq: UInt64, known: inout [Int], references: inout ReplayReferences,
        members: TreeDictionary<String, Member>
    ) {
        var next = 0
        func add(_ id: String) {
            var position: Int?
            var k = next
            for _ in 0..<known.count {
                if k == known.count { k = 0 }
                if references.table.entries[known[k]].id == id {
                    position = known[k]
                    next = k + 1
                    break
                }
                k += 1
            }
            if let p = position, references.table[tracker: p] == forgottenTracker {
                position = Self.position(of: id, hash: MemberTrackerTable.hash(id), in: &references, members: members)
            } else if position == nil {
                position = Self.position(of: id, hash: MemberTrackerTable.hash(id), in: &references, members: members)
                if let p = position { known.append(p) }
            }
            guard let p = position else { return }
            if references.table[tracker: p].latest != seq { references.table[tracker: p].add(seq) }
        }
        for id in meeting.attendees { add(id) }
        for absentee in meeting.absentees { add(absentee.memberId) }
        for id in meeting.speakers { add(id) }
    }

    /// A member leaves the trie (its creation retracted) or is created anew:
    /// its tracker in the table is marked to be read from the trie again.
    mutating func forgetBufferedMemberReferences(_ id: String) {
        guard var references = replayReferences.take() else { return }
        defer { replayReferences = references }
        if let p = references.table.position(of: id, hash: MemberTrackerTable.hash(id)) {
            references.table[tracker: p] = Self.forgottenTracker
        }
    }

    /// The mark of a tracker to read from the trie again (no real tracker has
    /// a latest reference this late).
    private static let forgottenTracker = ReferenceTracker(count: 0, latest: .max)

    /// The table position of member `id`, its tracker read from the member
    /// on first use (or again, once forgotten); nil if the state holds no
    /// such member. Static, with `members` passed in: a method's nested
    /// function reading `self.members` copied the whole state.
    private static func position(of id: String, hash: Int, in references: inout ReplayReferences,
                                 members: TreeDictionary<String, Member>) -> Int? {
        guard let p = references.table.position(of: id, hash: hash) else {
            guard let tracker = members[id]?.references else { return nil }
            return references.table.add(id, hash: hash, tracker: tracker)
        }
        if references.table[tracker: p] == forgottenTracker {
            guard let reloaded = members[id]?.references else { return nil }
            references.table[tracker: p] = reloaded
        }
        return p
    }
}

extension DomainState.OrganizationReplay {
    mutating func tally(_ quarter: Int, _ kind: MeetingKind, _ delta: Int32) {
        let i: Int
        if let last = quarters.indices.last, quarters[last].quarter == quarter {
            i = last
        } else if let found = quarters.firstIndex(where: { $0.quarter == quarter }) {
            i = found
        } else {
            quarters.append((quarter, 0, 0))
            i = quarters.count - 1
        }
        switch kind {
        case .regular: quarters[i].regular += delta
        case .thematic: quarters[i].thematic += delta
        }
    }
}
