/// The members a replay works on (`DomainState+ReplayReferences`): a dense
/// array of entries in the order members were first touched, and an
/// open-addressing index from id to that position.
///
/// Built for the replay's access pattern: about ten reference counts an
/// event (a meeting's participants) and one timeline entry for every other
/// member event, spread over every member. A walk down the state's trie of
/// members is four or five cache misses (a node's header at each level,
/// then the member); here it is one or two: the dense array of hashes (8
/// bytes a slot, mostly in the cache), then the entry, which holds the id,
/// the reference tracker and the member side by side. Linear probing, at
/// most half full, no removal: a member's position never changes, so a
/// cell can remember where its participants are.
///
/// An entry either only counts references of a member the trie still holds
/// (`ownsMember` false; the trie's member is current but for its tracker),
/// or owns the member (`ownsMember` true; `member` is the member, or nil
/// while there is no such member, and the trie's copy, if any, is stale).
/// The replay writes every entry back into the trie when it ends.
struct ReplayMemberTable: Sendable {
    /// `hashes[i]` is the hash of the member at `positions[i]`, never 0; 0 marks a free slot.
    private var hashes: [Int]
    private var positions: [Int32]
    /// By position. Entries are added only by `add(_:hash:tracker:)` and
    /// `add(_:hash:owning:tracker:)`; they change through the subscripts.
    private(set) var entries: [Entry] = []

    struct Entry: Sendable {
        let id: String
        /// The member's reference counts (for an owned entry whose member is nil: nothing).
        var tracker: ReferenceTracker
        /// The member, when the entry owns it (its own `references` are stale: see `tracker`).
        var member: Member?
        /// Whether `member` is the member (true) or the trie holds it (false).
        var ownsMember: Bool

        /// Whether such a member exists now (a trie member, or an owned one that is not nil).
        var exists: Bool { !ownsMember || member != nil }
    }

    /// The tracker of the member at position `p`.
    subscript(tracker p: Int) -> ReferenceTracker {
        get { entries[p].tracker }
        _modify { yield &entries[p].tracker }
    }

    /// The whole entry at position `p`, changed in place.
    subscript(entry p: Int) -> Entry {
        get { entries[p] }
        _modify { yield &entries[p] }
    }

    var count: Int { entries.count }

    init(capacity: Int = 1 << 12) {
        precondition(capacity > 0 && capacity & (capacity - 1) == 0, "the capacity is a power of two")
        hashes = Array(repeating: 0, count: capacity)
        positions = Array(repeating: 0, count: capacity)
    }

    /// The hash this table files `id` under (never 0).
    @inline(__always)
    static func hash(_ id: String) -> Int {
        let h = id.hashValue
        return h == 0 ? 1 : h
    }

    /// The position of `id` (whose `hash(_:)` is `hash`), or nil if it is not in the table.
    @inline(__always)
    func position(of id: String, hash: Int) -> Int? {
        let mask = hashes.count - 1
        var i = hash & mask
        while true {
            let h = hashes[i]
            if h == 0 { return nil }
            if h == hash {
                let p = Int(positions[i])
                if entries[p].id == id { return p }
            }
            i = (i + 1) & mask
        }
    }

    /// Adds `id` (not in the table; its `hash(_:)` is `hash`), a member the
    /// trie holds, with its `tracker`; returns its position.
    mutating func add(_ id: String, hash: Int, tracker: ReferenceTracker) -> Int {
        add(Entry(id: id, tracker: tracker, member: nil, ownsMember: false), hash: hash)
    }

    /// Adds `id` (not in the table; its `hash(_:)` is `hash`), owning
    /// `member` (nil: there is no such member); returns its position.
    mutating func add(_ id: String, hash: Int, owning member: Member?, tracker: ReferenceTracker) -> Int {
        add(Entry(id: id, tracker: tracker, member: member, ownsMember: true), hash: hash)
    }

    private mutating func add(_ entry: Entry, hash: Int) -> Int {
        precondition(count < Int(Int32.max), "more members than the table can number")
        if (count + 1) * 2 > hashes.count { grow() }
        let mask = hashes.count - 1
        var i = hash & mask
        while hashes[i] != 0 { i = (i + 1) & mask }
        hashes[i] = hash
        positions[i] = Int32(count)
        entries.append(entry)
        return count - 1
    }

    private mutating func grow() {
        let capacity = hashes.count * 2
        var bigger = [Int](repeating: 0, count: capacity)
        var biggerPositions = [Int32](repeating: 0, count: capacity)
        let mask = capacity - 1
        for i in hashes.indices where hashes[i] != 0 {
            var j = hashes[i] & mask
            while bigger[j] != 0 { j = (j + 1) & mask }
            bigger[j] = hashes[i]
            biggerPositions[j] = positions[i]
        }
        hashes = bigger
        positions = biggerPositions
    }
}
