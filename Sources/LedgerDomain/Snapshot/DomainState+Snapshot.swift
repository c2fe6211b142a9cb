/// Snapshots: the state as compact bytes, so a restart does not replay the log.
///
/// Format (version 1): "LDS" 0x01, applied seq, then organizations, members,
/// inspections, disciplines (each sorted by id) and retractions (sorted by seq).
/// Organizations and members are stored as their timelines (plus reference
/// trackers and meeting tallies) and re-folded on load, so a snapshot cannot
/// hold a derived field that disagrees with its history. The same state always
/// gives the same bytes.
extension DomainState {
    static let snapshotMagic: [UInt8] = [0x4C, 0x44, 0x53, 0x01]  // "LDS" v1

    public func snapshot() -> [UInt8] {
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
        w.count(members.count)
        for id in members.keys.sorted() {
            let m = members[id]!
            w.string(id)
            w.count(m.timeline.count)
            for entry in m.timeline { Self.write(entry, into: &w) }
            Self.write(m.references, into: &w)
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

    /// Restores a state from `snapshot()` bytes.
    /// Throws `snapshot-damaged` for bytes of another format or version, or damaged ones:
    /// the remedy is to rebuild the state from the log.
    public init(snapshot bytes: [UInt8]) throws(DomainError) {
        self.init()
        var r = SnapshotReader(bytes)
        for byte in Self.snapshotMagic where try r.u8() != byte {
            throw SnapshotReader.damaged("not a version-1 state snapshot")
        }
        appliedSeq = try r.uint()
        for _ in 0..<(try r.count()) {
            let code = try r.string()
            var timeline: [OrganizationTimelineEntry] = []
            for _ in 0..<(try r.count()) { timeline.append(try Self.readOrganizationEntry(&r)) }
            guard var o = Organization(code: code, timeline: timeline) else {
                throw SnapshotReader.damaged("organization \(code) has no registration")
            }
            o.references = try Self.readTracker(&r)
            for _ in 0..<(try r.count()) {
                let q = try r.intValue()
                o.meetingQuarters[q] = QuarterTally(regular: Int32(try r.int()), thematic: Int32(try r.int()))
            }
            storeOrganization(code, o)
        }
        for _ in 0..<(try r.count()) {
            let id = try r.string()
            var timeline: [MemberTimelineEntry] = []
            for _ in 0..<(try r.count()) { timeline.append(try Self.readMemberEntry(&r)) }
            guard var m = Member(id: id, timeline: timeline) else {
                throw SnapshotReader.damaged("member \(id) has no registration")
            }
            m.references = try Self.readTracker(&r)
            storeMember(id, m)
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

    static func write(_ t: ReferenceTracker, into w: inout SnapshotWriter) {
        w.count(t.count)
        w.uint(t.latest)
    }

    static func readTracker(_ r: inout SnapshotReader) throws(DomainError) -> ReferenceTracker {
        var t = ReferenceTracker()
        t.count = Int(try r.uint())
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
