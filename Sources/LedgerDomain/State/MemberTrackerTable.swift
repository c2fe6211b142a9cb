/// The reference trackers of members, what a replay counts references in
/// (`DomainState+ReplayReferences`): a dense array of ids and trackers in the
/// order members were first referred to, and an open-addressing index from
/// id to that position.
///
/// Built for the replay's access pattern, about ten lookups an event spread
/// over every member. A lookup reads the dense array of hashes (8 bytes a
/// slot, mostly in the cache), compares ids only when their hashes are
/// equal, and finds the tracker beside those of the members first referred
/// to with it (a cell's members, at its first meeting). Linear probing, at
/// most half full, no removal.
struct MemberTrackerTable: Sendable {
    /// `hashes[i]` is the hash of the member at `positions[i]`, never 0; 0 marks a free slot.
    private var hashes: [Int]
    private var positions: [Int32]
    /// By position: each member's id and tracker, side by side (a meeting
    /// reads both for each participant: one cache line, not two).
    /// Entries are added only by `add(_:hash:tracker:)`; their trackers
    /// change through `subscript(tracker:)`.
    private(set) var entries: [Entry] = []

    /// The tracker of the member at position `p`.
    subscript(tracker p: Int) -> ReferenceTracker {
        get { entries[p].tracker }
        _modify { yield &entries[p].tracker }
    }

    struct Entry: Sendable {
        let id: String
        var tracker: ReferenceTracker
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

    /// Adds `id` (not in the table; its `hash(_:)` is `hash`) with `tracker`; returns its position.
    mutating func add(_ id: String, hash: Int, tracker: ReferenceTracker) -> Int {
        precondition(count < Int(Int32.max), "more members than the table can number")
        if (count + 1) * 2 > hashes.count { grow() }
        let mask = hashes.count - 1
        var i = hash & mask
        while hashes[i] != 0 { i = (i + 1) & mask }
        hashes[i] = hash
        positions[i] = Int32(count)
        entries.append(Entry(id: id, tracker: tracker))
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
