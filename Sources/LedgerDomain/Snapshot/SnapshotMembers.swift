import HashTreeCollections

/// Members in snapshots: the record of one member in each format, and the
/// restore of the member chunks on several cores.
///
/// A version 3 record is `id, cell, references, timeline length, timeline`
/// (`timeline` = entry count, entries). Its id, cell and reference counts are
/// read at restart; its timeline is folded then, or on first use when
/// restored `lazily:` (`EncodedMember`). Versions 1 and 2 store
/// `id, timeline, references` and are always folded at once.
extension DomainState {
    // MARK: Writing

    /// Appends `member`'s version 3 record. A member still encoded is copied
    /// as it was read (the same bytes its fold would give again).
    static func writeMemberRecord(_ member: Member, id: String, into w: inout SnapshotWriter, scratch: inout SnapshotWriter) {
        w.string(id)
        if let encoded = member.stillEncoded {
            w.string(encoded.cell)
            write(member.references, into: &w)
            w.count(encoded.timeline.count)
            withExtendedLifetime(encoded.bytes) {  // the bytes may be the mapping's last owner
                w.bytes.append(contentsOf: UnsafeRawBufferPointer(rebasing: encoded.bytes.buffer.bytes[encoded.timeline]))
            }
            return
        }
        w.string(member.cell)
        write(member.references, into: &w)
        scratch.bytes.removeAll(keepingCapacity: true)
        writeTimeline(member, into: &scratch)
        w.count(scratch.bytes.count)
        w.bytes.append(contentsOf: scratch.bytes)
    }

    /// Appends `member`'s version 2 record (kept so tests can make older snapshots).
    static func writeMemberRecordVersion2(_ member: Member, id: String, into w: inout SnapshotWriter) {
        w.string(id)
        writeTimeline(member, into: &w)
        write(member.references, into: &w)
    }

    private static func writeTimeline(_ member: Member, into w: inout SnapshotWriter) {
        let timeline = member.timeline
        w.count(timeline.count)
        for entry in timeline { write(entry, into: &w) }
    }

    // MARK: Reading one member

    /// A timeline (entry count, entries) folded as it is read, with no array in
    /// between: the same fold as `Member(id:timeline:)`, which checks the first entry.
    static func readMemberTimeline(id: String, _ r: inout SnapshotReader) throws(DomainError) -> MemberFields {
        let entries = try r.count()
        let first = entries > 0 ? try readMemberEntry(&r) : nil
        guard let first, var fields = MemberFields(id: id, timeline: CollectionOfOne(first)) else {
            throw SnapshotReader.damaged("member \(id) has no registration")
        }
        fields.timeline.reserveCapacity(entries)
        var lastSeq = first.seq
        for _ in 1..<entries {
            let entry = try readMemberEntry(&r)
            guard entry.seq >= lastSeq else { throw SnapshotReader.damaged("member \(id)'s timeline is out of seq order") }
            lastSeq = entry.seq
            fields.apply(entry)
        }
        return fields
    }

    /// A version 1 or 2 record: id, timeline, reference tracker.
    static func readMemberRecordVersion2(_ r: inout SnapshotReader) throws(DomainError) -> Member {
        let id = try r.string()
        var member = Member(try readMemberTimeline(id: id, &r))
        member.references = try readTracker(&r)
        return member
    }

    /// A version 3 record from `r`: its id, its cell, and the member left
    /// encoded in `encodedIn` (the bytes `r` reads) or,
    /// if that is nil, folded and checked now.
    static func readMemberRecord(
        _ r: inout SnapshotReader, encodedIn bytes: SnapshotBytes?
    ) throws(DomainError) -> (id: String, cell: String, member: Member) {
        let id = try r.string()
        let cell = try r.string()
        let references = try readTracker(&r)
        let length = try r.count()
        let timeline = r.offset..<(r.offset + length)
        try r.skip(length)
        if let bytes {
            let encoded = EncodedMember(id: id, cell: cell, bytes: bytes, timeline: timeline)
            return (id, cell, Member(encoded: encoded, references: references))
        }
        var member = Member(try EncodedMember.fold(id: id, cell: cell, r.buffer, timeline: timeline))
        member.references = references
        return (id, cell, member)
    }

    // MARK: Restoring the chunks

    /// Where the member chunks lie: the member count, then each chunk's range.
    struct ChunkTable {
        var memberCount = 0
        var ranges: [Range<Int>] = []
    }

    /// Reads `count, chunk count, (fixed64 length, chunk)…` and skips the chunks.
    static func readChunkTable(_ r: inout SnapshotReader) throws(DomainError) -> ChunkTable {
        var table = ChunkTable()
        table.memberCount = try r.count()
        for _ in 0..<(try r.count()) {
            let length = try r.fixed64()
            guard length <= UInt64(r.end - r.offset) else {
                throw SnapshotReader.damaged("a member chunk of \(length) bytes runs past the end at byte \(r.offset)")
            }
            table.ranges.append(r.offset..<(r.offset + Int(length)))
            try r.skip(Int(length))
        }
        return table
    }

    /// The members of one group of chunks, split by the trie partition their
    /// id hashes to, and their ids by cell.
    struct MemberRun: Sendable {
        /// Per partition of the id's hash: (id, member).
        var partitions: [[(String, Member)]]
        /// Per partition of the cell's hash: (cell, id).
        var cells: [[(String, String)]]
        /// The run's first and last ids (the writer sorts them: each run's
        /// come after the one's before it).
        var firstId: String?
        var lastId: String?
        /// The members left encoded, in the snapshot's order (`RestoreOrder`).
        var ordered: [Member] = []

        init(partitionCount: Int) {
            partitions = Array(repeating: [], count: partitionCount)
            cells = Array(repeating: [], count: partitionCount)
        }
    }

    /// The tries are built per partition of the hash's lowest bits, which pick
    /// a key's slot in a trie's root node; tries of disjoint partitions then
    /// merge by linking their root's children.
    static func partitionCount(groups: Int) -> Int {
        var count = 1
        while count * 2 <= min(groups, 32) { count *= 2 }
        return count
    }

    /// Decodes the chunks `table.ranges[range]` of a version 2 or 3 snapshot.
    static func readMemberRun(
        _ bytes: SnapshotBuffer, table: ChunkTable, chunks: Range<Int>, version: UInt8, lazily: LazyMembers?, partitionCount: Int
    ) throws(DomainError) -> MemberRun {
        var run = MemberRun(partitionCount: partitionCount)
        let mask = partitionCount - 1
        for range in table.ranges[chunks] {
            // Lazily restored members keep the snapshot's bytes through one owner a chunk.
            let own = lazily.map { SnapshotBytes(bytes, onDamagedMember: $0.onDamagedMember) }
            var r = SnapshotReader(bytes, range: range)
            for _ in 0..<(try r.count()) {
                let (id, cell, member): (String, String, Member)
                if version == 2 {
                    member = try readMemberRecordVersion2(&r)
                    (id, cell) = (member.id, member.cell)
                } else {
                    (id, cell, member) = try readMemberRecord(&r, encodedIn: own)
                }
                // Ids ascend, so none is stored twice (under two cells, say).
                if let last = run.lastId, !(last < id) {
                    throw SnapshotReader.damaged("member \(id) comes after member \(last): ids out of order or repeated")
                }
                if run.firstId == nil { run.firstId = id }
                run.lastId = id
                run.cells[Int(UInt(bitPattern: cell.hashValue) & UInt(mask))].append((cell, id))
                if lazily != nil { run.ordered.append(member) }
                run.partitions[Int(UInt(bitPattern: id.hashValue) & UInt(mask))].append((id, member))
            }
            guard r.atEnd else { throw SnapshotReader.damaged("\(r.end - r.offset) bytes left at the end of a member chunk") }
        }
        return run
    }

    /// Restores the members of `table` into `members` and `membersByCell`:
    /// runs of neighbouring chunks decoded by `run`'s bodies, then joined.
    mutating func restoreMembers(
        _ bytes: SnapshotBuffer, table: ChunkTable, version: UInt8, run: ChunkRunner, groups: Int
    ) throws(DomainError) {
        let plan = MemberRunPlan(table: table, groups: groups, lazily: nil)
        var runs = try Self.runAll(plan.groupCount, on: run) { (group) throws(DomainError) -> MemberRun in
            try plan.decode(group: group, bytes, version: version)
        }
        try joinMembers(&runs, plan: plan, run: run)
    }

    /// How the chunks are shared out: `groupCount` runs of neighbouring chunks,
    /// each split into `partitionCount` lists by hash.
    struct MemberRunPlan: Sendable {
        let table: ChunkTable
        let groupCount: Int
        let partitionCount: Int
        /// Non-nil: version 3 members are left encoded, and this is told if one later fails to decode.
        let lazily: LazyMembers?

        init(table: ChunkTable, groups: Int, lazily: LazyMembers?) {
            self.table = table
            groupCount = max(1, min(groups, table.ranges.count))
            // Four partitions a core: smaller tries are built faster (a 10 M
            // restart took 1.01-1.06 s against 1.06-1.08 s with one a core).
            partitionCount = DomainState.partitionCount(groups: 4 * groups)
            self.lazily = lazily
        }

        /// Chunks [group × n / g, (group + 1) × n / g): the groups differ by one chunk at most.
        func decode(group: Int, _ bytes: SnapshotBuffer, version: UInt8) throws(DomainError) -> MemberRun {
            let n = table.ranges.count
            return try DomainState.readMemberRun(
                bytes, table: table, chunks: (group * n / groupCount)..<((group + 1) * n / groupCount),
                version: version, lazily: lazily, partitionCount: partitionCount)
        }
    }

    /// Builds the tries of one partition per body of `run` (members by id,
    /// ids by cell), links the partitions' tries, and checks the count.
    ///
    /// The runs' lists are moved, not copied, into the partitions' bodies,
    /// and each member is moved out of its list into its trie (`popLast`):
    /// filling a trie reads only the ids, never a member's box, which another
    /// core made and which is no longer in any cache (copying each member
    /// cost a retain and, when the lists were freed, a release: a third of
    /// this phase). `runs` is left empty.
    mutating func joinMembers(_ runs: inout [MemberRun], plan: MemberRunPlan, run: ChunkRunner) throws(DomainError) {
        let bounds = runs.compactMap { r in r.firstId.map { ($0, r.lastId!) } }
        for (before, after) in zip(bounds, bounds.dropFirst()) where !(before.1 < after.0) {
            throw SnapshotReader.damaged("member \(after.0) comes after member \(before.1): ids out of order or repeated")
        }
        let groups = runs.count
        let partitions = plan.partitionCount
        // Partition p's lists are [p × groups, (p + 1) × groups): each body moves out only its own.
        let lists = UnsafeMutableBufferPointer<[(String, Member)]>.allocate(capacity: max(1, partitions * groups))
        lists.initialize(repeating: [])
        defer {
            lists.deinitialize()
            lists.deallocate()
        }
        for g in 0..<groups {
            for p in 0..<partitions { swap(&lists[p * groups + g], &runs[g].partitions[p]) }
        }
        nonisolated(unsafe) let shared = lists
        let cells = runs.map(\.cells)
        let tries = try Self.runAll(partitions, on: run) {
            (partition) throws(DomainError) -> (TreeDictionary<String, Member>, TreeDictionary<String, Set<String>>) in
            var members: TreeDictionary<String, Member> = [:]
            for g in 0..<groups {
                var list: [(String, Member)] = []
                swap(&list, &shared[partition * groups + g])
                while let (id, member) = list.popLast() { members[id] = member }
            }
            var byCell: [String: Set<String>] = [:]
            for runCells in cells {
                for (cell, id) in runCells[partition] { byCell[cell, default: []].insert(id) }
            }
            return (members, TreeDictionary(uniqueKeysWithValues: byCell.lazy.map { ($0.key, $0.value) }))
        }
        runs.removeAll()
        // Partitions hold disjoint slots of the tries' roots: linking them copies no node below.
        members = tries[0].0
        membersByCell = tries[0].1
        for (partitionMembers, partitionCells) in tries.dropFirst() {
            members.merge(partitionMembers) { first, _ in first }
            membersByCell.merge(partitionCells) { first, _ in first }
        }
        guard members.count == plan.table.memberCount else {
            throw SnapshotReader.damaged("\(plan.table.memberCount) members announced, \(members.count) distinct ones found")
        }
    }

    /// `body(0)`, …, `body(count - 1)` through `run` (in any order, on any
    /// threads); their results in order, or the first error by index.
    static func runAll<T: Sendable>(
        _ count: Int, on run: ChunkRunner, _ body: @escaping @Sendable (Int) throws(DomainError) -> T
    ) throws(DomainError) -> [T] {
        let results = UnsafeMutableBufferPointer<Result<T, DomainError>>.allocate(capacity: count)
        results.initialize(repeating: .failure(SnapshotReader.damaged("a part was not decoded")))
        defer {
            results.deinitialize()
            results.deallocate()
        }
        nonisolated(unsafe) let shared = results
        run(count) { index in
            shared[index] = Result { () throws(DomainError) -> T in try body(index) }
        }
        var out: [T] = []
        out.reserveCapacity(count)
        for result in results { out.append(try result.get()) }
        return out
    }
}
