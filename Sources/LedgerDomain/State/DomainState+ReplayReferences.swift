import HashTreeCollections

/// Member reference counts kept in a flat table while a replay applies events.
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
///
/// Only a replay may use it (`PipelinedReplay`): between the two calls the
/// trackers in `members` are stale for the members in the table, so nothing
/// may read the state: no rule check, no query, no snapshot, no copy handed
/// out. Savepoints are refused meanwhile (their undo steps would restore the
/// stale trackers).
extension DomainState {
    /// The trackers of the members referred to since the replay began.
    struct ReplayReferences: Sendable {
        var table = MemberTrackerTable()
        /// By cell: the table positions of its meetings' participants.
        var participants: [String: [Int]] = [:]
    }

    /// Whether member reference counts are kept in the replay's table.
    public var buffersMemberReferences: Bool { replayReferences != nil }

    /// Starts keeping member reference counts in a table, for a replay.
    public mutating func beginBufferingMemberReferences() {
        precondition(replayReferences == nil, "member references are already buffered")
        precondition(!recording, "a replay does not run inside a savepoint")
        replayReferences = ReplayReferences()
    }

    /// Writes the counts kept in the table back into the members, and stops
    /// keeping them there. The state may be read again afterwards.
    public mutating func endBufferingMemberReferences() {
        guard let references = replayReferences.take() else { return }
        let table = references.table
        for p in table.ids.indices where table.trackers[p] != Self.forgottenTracker {
            _ = members.modifyExisting(table.ids[p]) { $0.references = table.trackers[p] }
        }
    }

    /// Counts (or uncounts) a reference to member `id` in the replay's table;
    /// false if the state holds no such member.
    mutating func adjustBufferedMemberReference(_ id: String, seq: UInt64, adding: Bool) -> Bool {
        guard var references = replayReferences.take() else { return false }
        defer { replayReferences = references }
        guard let p = Self.position(of: id, hash: MemberTrackerTable.hash(id), in: &references, members: members) else {
            return false
        }
        if adding { references.table.trackers[p].add(seq) } else { references.table.trackers[p].remove(seq) }
        return true
    }

    /// Counts the references of a meeting's participants (`DomainEvent.participants`):
    /// each once, without building the list. A participant named twice is
    /// seen by its tracker: its latest reference is this very event.
    ///
    /// The cell's list of known participants is searched from just after the
    /// last one found: a cell's meetings list its members in the same order,
    /// so the first comparison nearly always finds the id, and no id is hashed.
    mutating func addBufferedParticipantReferences(of meeting: MeetingHeld, seq: UInt64) {
        guard var references = replayReferences.take() else { return }
        defer { replayReferences = references }
        let slot: Dictionary<String, [Int]>.Index
        if let found = references.participants.index(forKey: meeting.cell) {
            slot = found
        } else {
            references.participants[meeting.cell] = []
            slot = references.participants.index(forKey: meeting.cell)!
        }
        // Out of the dictionary while in use (put back below), so that the
        // table can change beside it; swapped, so neither is copied.
        var known: [Int] = []
        swap(&known, &references.participants.values[slot])
        var next = 0
        func add(_ id: String) {
            var position: Int?
            var k = next
            for _ in 0..<known.count {
                if k == known.count { k = 0 }
                if references.table.ids[known[k]] == id {
                    position = known[k]
                    next = k + 1
                    break
                }
                k += 1
            }
            if let p = position, references.table.trackers[p] == Self.forgottenTracker {
                position = Self.position(of: id, hash: MemberTrackerTable.hash(id), in: &references, members: members)  // read again, or gone
            } else if position == nil {
                position = Self.position(of: id, hash: MemberTrackerTable.hash(id), in: &references, members: members)
                if let p = position { known.append(p) }
            }
            guard let p = position else { return }
            if references.table.trackers[p].latest != seq { references.table.trackers[p].add(seq) }
        }
        for id in meeting.attendees { add(id) }
        for absentee in meeting.absentees { add(absentee.memberId) }
        for id in meeting.speakers { add(id) }
        swap(&known, &references.participants.values[slot])
    }

    /// A member leaves the trie (its creation retracted): its tracker in the
    /// table is marked to be read from the trie again, should the id return.
    mutating func forgetBufferedMemberReferences(_ id: String) {
        guard var references = replayReferences.take() else { return }
        defer { replayReferences = references }
        if let p = references.table.position(of: id, hash: MemberTrackerTable.hash(id)) {
            references.table.trackers[p] = Self.forgottenTracker
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
        if references.table.trackers[p] == forgottenTracker {
            guard let reloaded = members[id]?.references else { return nil }
            references.table.trackers[p] = reloaded
        }
        return p
    }
}
