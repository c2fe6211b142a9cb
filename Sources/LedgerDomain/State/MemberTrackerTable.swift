/// The reference trackers of members, by id, in one open-addressing table:
/// what a replay counts references in (`DomainState+ReplayReferences`).
///
/// Built for the replay's access pattern, about ten lookups an event spread
/// over every member: a lookup reads the dense array of hashes (8 bytes a
/// slot, mostly in the cache) and then one slot holding both the id and its
/// tracker, so it costs one cache miss where a `Dictionary` (keys and values
/// in separate arrays) costs two, and ids are compared only when their
/// hashes are equal. Linear probing, at most half full, no removal.
struct MemberTrackerTable: Sendable {
    struct Slot: Sendable {
        var id: String
        var tracker: ReferenceTracker
    }

    /// `hashes[i]` is the hash of `slots[i].id`, never 0; 0 marks a free slot.
    private var hashes: [Int]
    private var slots: [Slot]
    private(set) var count = 0

    init(capacity: Int = 1 << 12) {
        precondition(capacity > 0 && capacity & (capacity - 1) == 0, "the capacity is a power of two")
        hashes = Array(repeating: 0, count: capacity)
        slots = Array(repeating: Slot(id: "", tracker: ReferenceTracker()), count: capacity)
    }

    /// Calls `body` with the tracker of `id` where it lies. A member not in the
    /// table yet is added with the tracker `load` gives; nil from `load`
    /// adds nothing and returns nil.
    @inline(__always)
    mutating func withTracker<R>(
        _ id: String, load: () -> ReferenceTracker?, _ body: (inout ReferenceTracker) -> R
    ) -> R? {
        let hash = Self.hash(id)
        let mask = hashes.count - 1
        var i = hash & mask
        while true {
            let h = hashes[i]
            if h == 0 { break }
            if h == hash, slots[i].id == id { return body(&slots[i].tracker) }
            i = (i + 1) & mask
        }
        guard let loaded = load() else { return nil }
        if (count + 1) * 2 > hashes.count {
            grow()
            return withTracker(id, load: { loaded }, body)
        }
        hashes[i] = hash
        slots[i] = Slot(id: id, tracker: loaded)
        count += 1
        return body(&slots[i].tracker)
    }

    /// Every member in the table with its tracker, in no order.
    func forEach(_ body: (String, ReferenceTracker) -> Void) {
        for i in hashes.indices where hashes[i] != 0 { body(slots[i].id, slots[i].tracker) }
    }

    @inline(__always)
    private static func hash(_ id: String) -> Int {
        let h = id.hashValue
        return h == 0 ? 1 : h
    }

    private mutating func grow() {
        var bigger = MemberTrackerTable(capacity: hashes.count * 2)
        let mask = bigger.hashes.count - 1
        for i in hashes.indices where hashes[i] != 0 {
            var j = hashes[i] & mask
            while bigger.hashes[j] != 0 { j = (j + 1) & mask }
            bigger.hashes[j] = hashes[i]
            bigger.slots[j] = slots[i]
        }
        bigger.count = count
        self = bigger
    }
}
