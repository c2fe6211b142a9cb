import HashTreeCollections
import Synchronization

/// Snapshots: the state as compact bytes, so a restart does not replay the log.
///
/// Format (version 3): "LDS" 0x03, applied seq, then three parts:
/// - organizations (sorted by code), headed by their byte length;
/// - members (sorted by id) in chunks, each headed by its byte length and
///   member count, so that a restart decodes them on several cores;
/// - inspections, disciplines (sorted by id) and retractions (sorted by
///   seq), headed by their byte length.
///
/// The lengths let a restart decode the three parts at once. Organizations
/// and members are stored as their timelines (plus reference trackers and
/// meeting tallies) and re-folded on load, so a snapshot cannot hold a
/// derived field that disagrees with its history; a member's record also
/// names its cell, so that a restart can index members by cell and fold
/// each one later, on first use (`lazily:`); so a change to how the fold
/// derives a member's cell needs a new format version. The same state always
/// gives the same bytes. Versions 1 and 2 (members stored as id, timeline, trackers;
/// no part lengths; version 1 without chunks) are still read.
extension DomainState {
    static let snapshotMagic: [UInt8] = [0x4C, 0x44, 0x53, 0x03]  // "LDS" v3
    static let snapshotMagicVersion2: [UInt8] = [0x4C, 0x44, 0x53, 0x02]
    static let snapshotMagicVersion1: [UInt8] = [0x4C, 0x44, 0x53, 0x01]
    /// Members a chunk holds (the last may hold fewer): the unit a restart shares
    /// out between cores, small enough that the shares come out even.
    public static let snapshotMembersPerChunk = 16_384

    /// The snapshot formats this build writes: the current one, and the one
    /// before it (for tests that prove older snapshots are still read).
    public enum SnapshotFormat: Sendable {
        case version2, version3
    }

    /// How a restore leaves members encoded, to be folded on first use.
    public struct LazyMembers: Sendable {
        /// Told what is wrong, before the process stops, if a member fails to decode.
        public let onDamagedMember: (@Sendable (String) -> Void)?
        /// Given the members left encoded, in the snapshot's order.
        public let order: RestoreOrder

        public init(order: RestoreOrder = RestoreOrder(), onDamagedMember: (@Sendable (String) -> Void)? = nil) {
            self.order = order
            self.onDamagedMember = onDamagedMember
        }
    }

    /// The members a restore left encoded, in the order the snapshot stores
    /// them (ascending ids), in runs of neighbouring chunks. Folding them in
    /// this order walks the snapshot's bytes, and the boxes the restore made
    /// one after another, from one end to the other, where the hardware reads
    /// ahead; in the order of the members' trie (their ids' hashes) every
    /// member is a cache miss twice over. The engine's warm-up takes them.
    public final class RestoreOrder: Sendable {
        private let runs = Mutex<[[Member]]>([])

        public init() {}

        /// The runs, once: later calls get none (the lists then go with the caller).
        public func take() -> [[Member]] {
            runs.withLock { runs in
                defer { runs = [] }
                return runs
            }
        }

        func set(_ newRuns: consuming [[Member]]) {
            runs.withLock { $0 = newRuns }
        }
    }

    /// Runs `body(0)`, …, `body(count - 1)`, in any order and on any threads,
    /// and returns when all are done: how `init(snapshot:decodingChunksWith:groups:lazily:)`
    /// spreads its parts over cores. The engine passes
    /// `DispatchQueue.concurrentPerform`; the default runs them in turn.
    public typealias ChunkRunner = @Sendable (_ count: Int, _ body: @Sendable (Int) -> Void) -> Void

    /// One part after another on the calling thread.
    public static let inTurn: ChunkRunner = { count, body in
        for index in 0..<count { body(index) }
    }

    /// Whether `buffer` holds a snapshot of the format this build writes.
    public static func isCurrentSnapshot(_ buffer: SnapshotBuffer) -> Bool { buffer.bytes.starts(with: snapshotMagic) }

    public func snapshot() -> [UInt8] { snapshot(membersPerChunk: Self.snapshotMembersPerChunk) }

    /// The snapshot with chunks of `membersPerChunk` members (tests make them small).
    public func snapshot(membersPerChunk: Int, format: SnapshotFormat = .version3) -> [UInt8] {
        precondition(membersPerChunk > 0, "a chunk holds at least one member")
        precondition(replayReferences == nil, "a snapshot of a state whose counts are still kept aside (a replay is running)")
        let current = format == .version3
        var w = SnapshotWriter()
        // Reserved once, generously (about 300 bytes a member are written):
        // grown by doubling, a 300 MB snapshot was copied again and again
        // into fresh memory, each page of it zeroed by the kernel. Pages
        // reserved and not written are never touched.
        w.bytes.reserveCapacity(
            (members.count + organizations.count) * 512 + (inspections.count + disciplines.count) * 256
                + retracted.count * 16 + 4096)
        w.bytes.append(contentsOf: current ? Self.snapshotMagic : Self.snapshotMagicVersion2)
        w.uint(appliedSeq)
        let organizationsAt = current ? w.beginPart() : nil
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
        if let organizationsAt { w.endPart(organizationsAt) }
        let ids = members.keys.sorted()
        w.count(ids.count)
        w.count((ids.count + membersPerChunk - 1) / membersPerChunk)
        var scratch = SnapshotWriter()
        for first in stride(from: 0, to: ids.count, by: membersPerChunk) {
            let chunk = ids[first..<min(first + membersPerChunk, ids.count)]
            let chunkAt = w.beginPart()
            w.count(chunk.count)
            for id in chunk {
                if current {
                    Self.writeMemberRecord(members[id]!, id: id, into: &w, scratch: &scratch)
                } else {
                    Self.writeMemberRecordVersion2(members[id]!, id: id, into: &w)
                }
            }
            w.endPart(chunkAt)
        }
        let restAt = current ? w.beginPart() : nil
        w.count(inspections.count)
        for id in inspections.keys.sorted() { Self.write(inspections[id]!, into: &w) }
        w.count(disciplines.count)
        for id in disciplines.keys.sorted() { Self.write(disciplines[id]!, into: &w) }
        w.count(retracted.count)
        for seq in retracted.keys.sorted() {
            w.uint(seq)
            w.uint(retracted[seq]!)
        }
        if let restAt { w.endPart(restAt) }
        return w.bytes
    }

    /// Restores a state from `snapshot()` bytes (any version this build reads).
    ///
    /// The parts are decoded by `run`'s bodies: the member chunks in `groups`
    /// runs of neighbouring chunks (at most one a chunk) and, in version 3, the
    /// organizations and the rest beside them; the members then go into one
    /// trie per partition of their hashes, and the tries are joined. The
    /// engine passes its core count and `DispatchQueue.concurrentPerform`; the
    /// default decodes everything in turn on the calling thread.
    ///
    /// `lazily`: version 3 members are not folded now but on first use (see
    /// `EncodedMember`); pass it only for bytes whose checksum has been
    /// checked, since a timeline that does not decode then stops the process
    /// (after telling `lazily.onDamagedMember`). Without it everything is
    /// decoded and checked now.
    ///
    /// Throws `snapshot-damaged` for bytes of another format or version, or damaged ones:
    /// the remedy is to rebuild the state from the log.
    public init(
        snapshot bytes: [UInt8], decodingChunksWith run: ChunkRunner = DomainState.inTurn, groups: Int = 1,
        lazily: LazyMembers? = nil
    ) throws(DomainError) {
        try self.init(snapshot: SnapshotBuffer(bytes), decodingChunksWith: run, groups: groups, lazily: lazily)
    }

    /// Restores a state from the snapshot in `bytes`, read in place (see
    /// `init(snapshot:decodingChunksWith:groups:lazily:)` above); members left
    /// encoded keep `bytes` alive until they are folded.
    public init(
        snapshot bytes: SnapshotBuffer, decodingChunksWith run: ChunkRunner = DomainState.inTurn, groups: Int = 1,
        lazily: LazyMembers? = nil
    ) throws(DomainError) {
        precondition(groups > 0, "decode in at least one group")
        self.init()
        var r = SnapshotReader(bytes)
        var magic: [UInt8] = []
        for _ in 0..<Self.snapshotMagic.count { magic.append(try r.u8()) }
        switch magic {
        case Self.snapshotMagic:
            try readVersion3(&r, run: run, groups: groups, lazily: lazily)
        case Self.snapshotMagicVersion2, Self.snapshotMagicVersion1:
            appliedSeq = try r.uint()
            try readOrganizations(&r)
            if magic == Self.snapshotMagicVersion1 {
                for _ in 0..<(try r.count()) {
                    let m = try Self.readMemberRecordVersion2(&r)
                    storeMember(m.id, m)
                }
            } else {
                let table = try Self.readChunkTable(&r)
                try restoreMembers(bytes, table: table, version: 2, run: run, groups: groups)
            }
            try readRest(&r)
            guard r.atEnd else { throw SnapshotReader.damaged("\(bytes.count - r.offset) bytes after the end") }
        default:
            throw SnapshotReader.damaged("not a version 1, 2 or 3 state snapshot")
        }
    }

    /// Version 3: the parts' ranges first, then organizations, the rest and
    /// the member chunks decoded at once.
    private mutating func readVersion3(_ r: inout SnapshotReader, run: ChunkRunner, groups: Int, lazily: LazyMembers?) throws(DomainError) {
        appliedSeq = try r.uint()
        let organizationsPart = try r.part()
        let table = try Self.readChunkTable(&r)
        let restPart = try r.part()
        guard r.atEnd else { throw SnapshotReader.damaged("\(r.end - r.offset) bytes after the end") }
        let bytes = r.buffer
        // Organizations and the rest decode beside the member runs.
        let plan = MemberRunPlan(table: table, groups: groups, lazily: lazily)
        var parts = try Self.runAll(2 + plan.groupCount, on: run) { (job) throws(DomainError) -> RestoredPart in
            guard job < 2 else {
                return .members(try plan.decode(group: job - 2, bytes, version: 3))
            }
            var state = DomainState()
            var reader = SnapshotReader(bytes, range: job == 0 ? organizationsPart : restPart)
            if job == 0 { try state.readOrganizations(&reader) } else { try state.readRest(&reader) }
            guard reader.atEnd else { throw SnapshotReader.damaged("\(reader.end - reader.offset) bytes left at the end of a part") }
            return .state(state)
        }
        if case .state(let part) = parts[0] {
            organizations = part.organizations
            childrenByParent = part.childrenByParent
        }
        if case .state(let part) = parts[1] {
            inspections = part.inspections
            disciplines = part.disciplines
            retracted = part.retracted
        }
        var runs = parts.dropFirst(2).compactMap { part -> MemberRun? in
            if case .members(let memberRun) = part { return memberRun }
            return nil
        }
        parts.removeAll()  // the runs' lists are now theirs alone, so `joinMembers` moves them
        let ordered = runs.indices.map { index in
            var ordered: [Member] = []
            swap(&ordered, &runs[index].ordered)
            return ordered
        }
        try joinMembers(&runs, plan: plan, run: run)
        lazily?.order.set(ordered)  // only for a restore that succeeded
    }

    /// What one job of a version 3 restore gives.
    private enum RestoredPart: Sendable {
        /// The organizations, or the inspections, disciplines and retractions.
        case state(DomainState)
        case members(MemberRun)
    }

    /// Organizations: count, then each one's code, timeline, trackers and tallies.
    private mutating func readOrganizations(_ r: inout SnapshotReader) throws(DomainError) {
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
            let quarters = try r.count()
            o.meetingQuarters.reserveCapacity(min(quarters, 4096))  // a damaged count reserves no more
            for _ in 0..<quarters {
                let q = try r.intValue()
                o.meetingQuarters[q] = QuarterTally(regular: try r.int32(), thematic: try r.int32())
            }
            storeOrganization(code, o)
        }
    }

    /// Inspections, disciplines and retractions.
    private mutating func readRest(_ r: inout SnapshotReader) throws(DomainError) {
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
