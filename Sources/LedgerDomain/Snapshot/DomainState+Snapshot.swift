import HashTreeCollections

/// Snapshots: the state as compact bytes, so a restart does not replay the log.
///
/// Format (version 2): "LDS" 0x02, applied seq, then organizations, members,
/// inspections, disciplines (each sorted by id) and retractions (sorted by seq).
/// Members come in chunks (each headed by its byte length and member count) so
/// that a restart can decode them on several cores. Organizations and members
/// are stored as their timelines (plus reference trackers and meeting tallies)
/// and re-folded on load, so a snapshot cannot hold a derived field that
/// disagrees with its history. The same state always gives the same bytes.
/// Version 1 (members in one run, without chunk headers) is still read.
extension DomainState {
    static let snapshotMagic: [UInt8] = [0x4C, 0x44, 0x53, 0x02]  // "LDS" v2
    static let snapshotMagicVersion1: [UInt8] = [0x4C, 0x44, 0x53, 0x01]
    /// Members a chunk holds (the last may hold fewer): the unit a restart shares
    /// out between cores, small enough that the shares come out even.
    public static let snapshotMembersPerChunk = 16_384

    /// Runs `body(0)`, …, `body(count - 1)`, in any order and on any threads,
    /// and returns when all are done: how `init(snapshot:decodingChunksWith:groups:)`
    /// spreads groups of member chunks over cores. The engine passes
    /// `DispatchQueue.concurrentPerform`; the default runs them in turn.
    public typealias ChunkRunner = @Sendable (_ count: Int, _ body: @Sendable (Int) -> Void) -> Void

    /// One chunk after another on the calling thread.
    public static let inTurn: ChunkRunner = { count, body in
        for index in 0..<count { body(index) }
    }

    public func snapshot() -> [UInt8] { snapshot(membersPerChunk: Self.snapshotMembersPerChunk) }

    /// The snapshot with chunks of `membersPerChunk` members (tests make them small).
    public func snapshot(membersPerChunk: Int) -> [UInt8] {
        precondition(membersPerChunk > 0, "a chunk holds at least one member")
        var w = SnapshotWriter()
        w.bytes.append(contentsOf: Self.snapshotMagic)
        w.uint(appliedSeq)
        w.count(organizations.count)
        for code in organizations.keys.sorted() {
            let o = organizations[code]!
            w.string(code)
            w.count(o.timeline.count)
            for entry in o.timeline { Self.write(entry, into: &w) }
            Self.write(o.references, into: &w)
            w.count(o.meetingQuarters.count)
            for q in o.meetingQuarters.keys.sorted() {
                w.int(q)
                w.int(Int64(o.meetingQuarters[q]!.regular))
                w.int(Int64(o.meetingQuarters[q]!.thematic))
            }
        }
        let ids = members.keys.sorted()
        w.count(ids.count)
        w.count((ids.count + membersPerChunk - 1) / membersPerChunk)
        for first in stride(from: 0, to: ids.count, by: membersPerChunk) {
            let chunk = ids[first..<min(first + membersPerChunk, ids.count)]
            let lengthAt = w.bytes.count
            w.fixed64(0)
            let start = w.bytes.count
            w.count(chunk.count)
            for id in chunk {
                let m = members[id]!
                w.string(id)
                w.count(m.timeline.count)
                for entry in m.timeline { Self.write(entry, into: &w) }
                Self.write(m.references, into: &w)
            }
            w.patch64(at: lengthAt, UInt64(w.bytes.count - start))
        }
        w.count(inspections.count)
        for id in inspections.keys.sorted() { Self.write(inspections[id]!, into: &w) }
        w.count(disciplines.count)
        for id in disciplines.keys.sorted() { Self.write(disciplines[id]!, into: &w) }
        w.count(retracted.count)
        for seq in retracted.keys.sorted() {
            w.uint(seq)
            w.uint(retracted[seq]!)
        }
        return w.bytes
    }

    /// Restores a state from `snapshot()` bytes. The member chunks are cut into
    /// `groups` runs of neighbouring chunks (at most one a chunk), each decoded
    /// into its own trie by one call of `run`'s body; the tries are then merged.
    /// The engine passes its core count and `DispatchQueue.concurrentPerform`;
    /// the default decodes everything in turn on the calling thread.
    /// Throws `snapshot-damaged` for bytes of another format or version, or damaged ones:
    /// the remedy is to rebuild the state from the log.
    public init(
        snapshot bytes: [UInt8], decodingChunksWith run: ChunkRunner = DomainState.inTurn, groups: Int = 1
    ) throws(DomainError) {
        precondition(groups > 0, "decode in at least one group")
        self.init()
        var r = SnapshotReader(bytes)
        var magic: [UInt8] = []
        for _ in 0..<Self.snapshotMagic.count { magic.append(try r.u8()) }
        guard magic == Self.snapshotMagic || magic == Self.snapshotMagicVersion1 else {
            throw SnapshotReader.damaged("not a version-1 or version-2 state snapshot")
        }
        appliedSeq = try r.uint()
        for _ in 0..<(try r.count()) {
            let code = try r.string()
            var timeline: [OrganizationTimelineEntry] = []
            for _ in 0..<(try r.count()) {
                let entry = try Self.readOrganizationEntry(&r)
                guard entry.seq >= timeline.last?.seq ?? 0 else {
                    throw SnapshotReader.damaged("organization \(code)'s timeline is out of seq order")
                }
                timeline.append(entry)
            }
            guard var o = Organization(code: code, timeline: timeline) else {
                throw SnapshotReader.damaged("organization \(code) has no registration")
            }
            o.references = try Self.readTracker(&r)
            for _ in 0..<(try r.count()) {
                let q = try r.intValue()
                o.meetingQuarters[q] = QuarterTally(regular: try r.int32(), thematic: try r.int32())
            }
            storeOrganization(code, o)
        }
        if magic == Self.snapshotMagicVersion1 {
            for _ in 0..<(try r.count()) {
                let m = try Self.readMember(&r)
                storeMember(m.id, m)
            }
        } else {
            try readMemberChunks(&r, run: run, groups: groups)
        }
        for _ in 0..<(try r.count()) {
            let i = try Self.readInspection(&r)
            inspections[i.id] = i
        }
        for _ in 0..<(try r.count()) {
            let d = try Self.readDiscipline(&r)
            disciplines[d.id] = d
        }
        for _ in 0..<(try r.count()) {
            let seq = try r.uint()
            retracted[seq] = try r.uint()
        }
        guard r.atEnd else { throw SnapshotReader.damaged("\(bytes.count - r.offset) bytes after the end") }
    }

    /// One member: id, timeline (re-folded), reference tracker.
    /// Entries are folded as they are read (no timeline array in between): the
    /// same fold as `Member(id:timeline:)`, which checks the first entry.
    static func readMember(_ r: inout SnapshotReader) throws(DomainError) -> Member {
        let id = try r.string()
        let entries = try r.count()
        let first = entries > 0 ? try Self.readMemberEntry(&r) : nil
        guard let first, var m = Member(id: id, timeline: CollectionOfOne(first)) else {
            throw SnapshotReader.damaged("member \(id) has no registration")
        }
        var lastSeq = first.seq
        for _ in 1..<entries {
            let entry = try Self.readMemberEntry(&r)
            guard entry.seq >= lastSeq else { throw SnapshotReader.damaged("member \(id)'s timeline is out of seq order") }
            lastSeq = entry.seq
            m.apply(entry)
        }
        m.references = try Self.readTracker(&r)
        return m
    }

    /// The members of one group of chunks, keyed by id, and their ids by cell.
    struct MemberChunk: Sendable {
        var members: TreeDictionary<String, Member> = [:]
        var byCell: [String: Set<String>] = [:]
    }

    /// Reads the chunk headers, decodes runs of neighbouring chunks with `run`
    /// (each group on its own readers into its own trie, so groups may run at
    /// once), then joins the groups: the tries merge structurally, and
    /// `membersByCell` is built once.
    private mutating func readMemberChunks(_ r: inout SnapshotReader, run: ChunkRunner, groups: Int) throws(DomainError) {
        let memberCount = try r.count()
        let chunkCount = try r.count()
        var ranges: [Range<Int>] = []
        for _ in 0..<chunkCount {
            let length = try r.fixed64()
            guard length <= UInt64(r.end - r.offset) else {
                throw SnapshotReader.damaged("a member chunk of \(length) bytes runs past the end at byte \(r.offset)")
            }
            ranges.append(r.offset..<(r.offset + Int(length)))
            try r.skip(Int(length))
        }
        let groupCount = max(1, min(groups, chunkCount))
        let results = UnsafeMutableBufferPointer<Result<MemberChunk, DomainError>>.allocate(capacity: groupCount)
        results.initialize(repeating: .failure(SnapshotReader.damaged("a member chunk was not decoded")))
        defer {
            results.deinitialize()
            results.deallocate()
        }
        nonisolated(unsafe) let shared = results
        let bytes = r.bytes
        run(groupCount) { [ranges] group in
            // Chunks [group × n / g, (group + 1) × n / g): the groups differ by one chunk at most.
            let first = group * ranges.count / groupCount, end = (group + 1) * ranges.count / groupCount
            shared[group] = Result { () throws(DomainError) -> MemberChunk in
                var decoded = MemberChunk()
                for range in ranges[first..<end] { try Self.readMemberChunk(bytes, range: range, into: &decoded) }
                return decoded
            }
        }
        var byCell: [String: Set<String>] = [:]
        for group in 0..<groupCount {
            let decoded = try results[group].get()
            members.merge(decoded.members) { first, _ in first }
            for (cell, ids) in decoded.byCell { byCell[cell, default: []].formUnion(ids) }
        }
        guard members.count == memberCount else {
            throw SnapshotReader.damaged("\(memberCount) members announced, \(members.count) distinct ones found")
        }
        membersByCell = TreeDictionary(uniqueKeysWithValues: byCell.lazy.map { ($0.key, $0.value) })
    }

    /// Decodes one chunk of members into `decoded` (which may hold earlier chunks).
    static func readMemberChunk(_ bytes: [UInt8], range: Range<Int>, into decoded: inout MemberChunk) throws(DomainError) {
        var r = SnapshotReader(bytes, range: range)
        for _ in 0..<(try r.count()) {
            let m = try readMember(&r)
            decoded.members[m.id] = m
            decoded.byCell[m.cell, default: []].insert(m.id)
        }
        guard r.atEnd else { throw SnapshotReader.damaged("\(r.end - r.offset) bytes left at the end of a member chunk") }
    }

    static func write(_ t: ReferenceTracker, into w: inout SnapshotWriter) {
        w.count(t.count)
        w.uint(t.latest)
    }

    static func readTracker(_ r: inout SnapshotReader) throws(DomainError) -> ReferenceTracker {
        var t = ReferenceTracker()
        let count = try r.uint()
        guard let fits = Int(exactly: count) else { throw SnapshotReader.damaged("reference count \(count) out of range") }
        t.count = fits
        t.latest = try r.uint()
        return t
    }

    static func write(_ i: Inspection, into w: inout SnapshotWriter) {
        w.string(i.id)
        w.string(i.by)
        w.raw(i.kind)
        w.strings(i.targetOrganizations)
        w.strings(i.targetMembers)
        w.strings(i.team)
        w.optional(i.findings) { $0.string($1) }
        w.uint(i.filedSeq)
        w.date(i.filedOn)
        w.optional(i.conclusion) { w, c in
            w.uint(c.seq)
            w.date(c.on)
            w.string(c.text)
            w.bool(c.violationsFound)
        }
        write(i.references, into: &w)
    }

    static func readInspection(_ r: inout SnapshotReader) throws(DomainError) -> Inspection {
        var i = Inspection(
            id: try r.string(), by: try r.string(), kind: try r.raw(InspectionKind.self),
            targetOrganizations: try r.strings(), targetMembers: try r.strings(), team: try r.strings(),
            findings: try r.optional { (r: inout SnapshotReader) throws(DomainError) in try r.string() },
            filedSeq: try r.uint(), filedOn: try r.date())
        i.conclusion = try r.optional { (r: inout SnapshotReader) throws(DomainError) in
            Inspection.Conclusion(seq: try r.uint(), on: try r.date(), text: try r.string(), violationsFound: try r.bool())
        }
        i.references = try readTracker(&r)
        return i
    }

    static func write(_ d: Discipline, into w: inout SnapshotWriter) {
        w.string(d.id)
        w.raw(d.subject.kind)
        w.string(d.subject.id)
        w.raw(d.form)
        w.string(d.decidedBy)
        w.string(d.reason)
        w.optional(d.inspectionId) { $0.string($1) }
        w.uint(d.imposedSeq)
        w.date(d.imposedOn)
        w.count(d.appeals.count)
        for a in d.appeals {
            w.uint(a.seq)
            w.date(a.on)
            w.string(a.grounds)
        }
        w.count(d.revisions.count)
        for v in d.revisions {
            w.uint(v.seq)
            w.date(v.on)
            w.raw(v.outcome)
            w.optional(v.newForm) { $0.raw($1) }
        }
        write(d.references, into: &w)
    }

    static func readDiscipline(_ r: inout SnapshotReader) throws(DomainError) -> Discipline {
        let id = try r.string()
        let kind = try r.raw(SubjectKind.self)
        let subjectId = try r.string()
        var d = Discipline(
            id: id, subject: kind == .member ? .member(subjectId) : .organization(subjectId),
            form: try r.raw(DisciplineForm.self), decidedBy: try r.string(), reason: try r.string(),
            inspectionId: try r.optional { (r: inout SnapshotReader) throws(DomainError) in try r.string() },
            imposedSeq: try r.uint(), imposedOn: try r.date())
        for _ in 0..<(try r.count()) {
            d.appeals.append(.init(seq: try r.uint(), on: try r.date(), grounds: try r.string()))
        }
        for _ in 0..<(try r.count()) {
            d.revisions.append(.init(
                seq: try r.uint(), on: try r.date(), outcome: try r.raw(RevisionOutcome.self),
                newForm: try r.optional { (r: inout SnapshotReader) throws(DomainError) in try r.raw(DisciplineForm.self) }))
        }
        d.references = try readTracker(&r)
        return d
    }
}
