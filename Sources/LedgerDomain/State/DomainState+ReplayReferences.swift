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
        var trackers: [String: ReferenceTracker] = [:]
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
        guard let table = replayReferences.take() else { return }
        for (id, tracker) in table.trackers {
            _ = members.modifyExisting(id) { $0.references = tracker }
        }
    }

    /// Counts (or uncounts) a reference to member `id` in the replay's table;
    /// false if the state holds no such member.
    mutating func adjustBufferedMemberReference(_ id: String, seq: UInt64, adding: Bool) -> Bool {
        // In place in the optional table: `replayReferences!.trackers[…]` would copy it.
        if let found = replayReferences?.trackers.index(forKey: id) {
            if adding {
                replayReferences?.trackers.values[found].add(seq)
            } else {
                replayReferences?.trackers.values[found].remove(seq)
            }
            return true
        }
        guard var tracker = members[id]?.references else { return false }
        if adding { tracker.add(seq) } else { tracker.remove(seq) }
        replayReferences?.trackers[id] = tracker
        return true
    }

    /// A member leaves the trie (its creation retracted): its count leaves the table.
    mutating func forgetBufferedMemberReferences(_ id: String) {
        replayReferences?.trackers[id] = nil
    }
}
