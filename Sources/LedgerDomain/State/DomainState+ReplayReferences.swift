/// Member reference counts kept in a flat table while a replay applies events.
///
/// A meeting counts a reference on every participant, about ten an event, and
/// each count is a walk down the members' trie to the member's node: the
/// hottest work of a replay, nearly all of it cache misses. While a replay
/// runs, the counts of the members it touched live instead in a hash table
/// (one probe each), loaded from the trie on a member's first reference and
/// written back into the trie, once per member, when the replay ends.
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
        references.table.forEach { id, tracker in
            guard tracker != Self.forgottenTracker else { return }
            _ = members.modifyExisting(id) { $0.references = tracker }
        }
    }

    /// Counts (or uncounts) a reference to member `id` in the replay's table;
    /// false if the state holds no such member.
    mutating func adjustBufferedMemberReference(_ id: String, seq: UInt64, adding: Bool) -> Bool {
        withBufferedTracker(id) { tracker in
            if adding { tracker.add(seq) } else { tracker.remove(seq) }
        } != nil
    }

    /// Counts the references of a meeting's participants (`DomainEvent.participants`):
    /// each once, without building the list. A participant named twice is
    /// seen by its tracker: its latest reference is this very event.
    mutating func addBufferedParticipantReferences(of meeting: MeetingHeld, seq: UInt64) {
        func add(_ id: String) {
            _ = withBufferedTracker(id) { tracker in
                if tracker.latest != seq { tracker.add(seq) }
            }
        }
        for id in meeting.attendees { add(id) }
        for absentee in meeting.absentees { add(absentee.memberId) }
        for id in meeting.speakers { add(id) }
    }

    /// A member leaves the trie (its creation retracted): its tracker in the
    /// table is marked to be read from the trie again, should the id return.
    mutating func forgetBufferedMemberReferences(_ id: String) {
        guard var references = replayReferences.take() else { return }
        defer { replayReferences = references }
        _ = references.table.withTracker(id, load: { nil }) { $0 = Self.forgottenTracker }
    }

    /// The mark of a tracker to read from the trie again (no real tracker has
    /// a latest reference this late).
    private static let forgottenTracker = ReferenceTracker(count: 0, latest: .max)

    /// Calls `body` with the table's tracker of `id`, reading it from the
    /// member on first use; nil if the state holds no such member.
    private mutating func withBufferedTracker<R>(_ id: String, _ body: (inout ReferenceTracker) -> R) -> R? {
        // Moved out of the state while in use, so that loading a tracker can
        // read `members` (and the table is not copied).
        guard var references = replayReferences.take() else { return nil }
        defer { replayReferences = references }
        func load() -> ReferenceTracker? { members[id]?.references }
        return references.table.withTracker(id, load: load) { tracker -> R? in
            if tracker == Self.forgottenTracker {
                guard let reloaded = load() else { return nil }
                tracker = reloaded
            }
            return body(&tracker)
        } ?? nil
    }
}
