import HashTreeCollections

/// Members, reference counts and meeting tallies kept aside while a replay applies events.
///
/// A meeting counts a reference on every participant, about ten an event,
/// and most other events append to a member's timeline: each is a walk down
/// the members' trie to the member's node, nearly all of it cache misses.
/// While a replay runs, the members it touches live instead in a flat table
/// (`ReplayMemberTable`): a member created by the replay goes there and not
/// into the trie; a member the trie already holds enters the table on its
/// first reference (its tracker alone) or first change (the whole member).
/// Each is written back into the trie, once, when the replay ends. Each cell
/// also remembers where its meetings' participants are in the table, so a
/// meeting finds them in a short list, mostly in order, not in the table's
/// index (a hash and a cache miss each). Organizations' reference counts
/// and their cells' meeting tallies are kept aside the same way
/// (`OrganizationReplay`, one lookup a meeting); at the end the trackers are
/// written back and the tallies added.
///
/// Only a replay may use it (`PipelinedReplay`): between the two calls the
/// members in `members` (some missing, some stale), the trackers in
/// `organizations`, and the tallies, are out of date, so nothing may read
/// the state but `apply` itself (which reads members through
/// `currentMember`): no rule check, no query, no snapshot, no copy handed
/// out. Savepoints are refused meanwhile (their undo steps would restore
/// stale values).
extension DomainState {
    /// What a replay keeps aside: members in a table, organizations' trackers by code.
    struct ReplayReferences: Sendable {
        var table = ReplayMemberTable()
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
        for entry in references.table.entries {
            if !entry.ownsMember {
                _ = members.modifyExisting(entry.id) { $0.references = entry.tracker }
            } else if var member = entry.member {
                member.references = entry.tracker
                members.updateValue(member, forKey: entry.id)
            } else {
                members.removeValue(forKey: entry.id)
            }
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
        guard let p = Self.position(of: id, hash: ReplayMemberTable.hash(id), in: &references, members: members) else {
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
    /// id is hashed. A member's position never changes, so a known position
    /// stays right even when the member is removed and created again.
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
            if let p = position {
                if !references.table.entries[p].exists { return }  // no such member now: nothing counted
            } else {
                position = Self.position(of: id, hash: ReplayMemberTable.hash(id), in: &references, members: members)
                if let p = position { known.append(p) }
            }
            guard let p = position else { return }
            if references.table[tracker: p].latest != seq { references.table[tracker: p].add(seq) }
        }
        for id in meeting.attendees { add(id) }
        for absentee in meeting.absentees { add(absentee.memberId) }
        for id in meeting.speakers { add(id) }
    }

    /// The table position of member `id`, its tracker read from the trie's
    /// member on first use; nil if the state holds no such member. Static,
    /// with `members` passed in: a method's nested function reading
    /// `self.members` copied the whole state.
    private static func position(of id: String, hash: Int, in references: inout ReplayReferences,
                                 members: TreeDictionary<String, Member>) -> Int? {
        if let p = references.table.position(of: id, hash: hash) {
            return references.table.entries[p].exists ? p : nil
        }
        guard let tracker = members[id]?.references else { return nil }
        return references.table.add(id, hash: hash, tracker: tracker)
    }

    // MARK: Members themselves

    /// Member `id` as the state holds it now, with its reference counts:
    /// read from the replay's table while a replay keeps it there, else from
    /// the trie. What `apply` reads a member through, replay or not.
    func currentMember(_ id: String) -> Member? {
        guard let table = replayReferences?.table, let p = table.position(of: id, hash: ReplayMemberTable.hash(id))
        else { return members[id] }
        let entry = table.entries[p]
        guard var member = entry.ownsMember ? entry.member : members[id] else { return nil }
        member.references = entry.tracker
        return member
    }

    /// A replay's `storeMember`: `new` (nil: no such member), with its
    /// reference counts, goes into the table, never the trie; returns the
    /// member it replaces.
    mutating func storeBufferedMember(_ id: String, _ new: Member?) -> Member? {
        let old = currentMember(id)
        guard var references = replayReferences.take() else { preconditionFailure("no replay runs") }
        defer { replayReferences = references }
        let hash = ReplayMemberTable.hash(id)
        let tracker = new?.references ?? ReferenceTracker()
        if let p = references.table.position(of: id, hash: hash) {
            references.table[entry: p].member = new
            references.table[entry: p].ownsMember = true
            references.table[tracker: p] = tracker
        } else {
            _ = references.table.add(id, hash: hash, owning: new, tracker: tracker)
        }
        return old
    }

    /// A replay's `appendMember`: applies `entry` to member `id` in the
    /// table, in place, taking the member from the trie on its first change;
    /// returns its cell before and after, or nil if there is no such member.
    mutating func appendBufferedMember(_ id: String, _ entry: MemberTimelineEntry) -> (old: String, new: String)? {
        guard var references = replayReferences.take() else { preconditionFailure("no replay runs") }
        defer { replayReferences = references }
        let hash = ReplayMemberTable.hash(id)
        let p: Int
        if let found = references.table.position(of: id, hash: hash) {
            p = found
            if !references.table.entries[p].ownsMember {
                guard let member = members[id] else { return nil }
                references.table[entry: p].member = member
                references.table[entry: p].ownsMember = true
            }
        } else {
            guard let member = members[id] else { return nil }
            p = references.table.add(id, hash: hash, owning: member, tracker: member.references)
        }
        guard references.table.entries[p].member != nil else { return nil }
        return Self.apply(entry, to: &references.table[entry: p].member)
    }

    /// Applies `entry` to `member` (not nil) in place; its cell before and after.
    private static func apply(_ entry: MemberTimelineEntry, to member: inout Member?) -> (old: String, new: String) {
        let oldCell = member!.cell
        member!.apply(entry)
        return (oldCell, member!.cell)
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
