import Synchronization

/// A member as the ledger knows it: the fold of `timeline` (in seq order).
///
/// A value with one reference inside: the fields live in a copy-on-write box,
/// so copying a member (every lookup in the state's maps returns a copy) is
/// one retain instead of one per field, and a change copies the fields only
/// when the box is shared (with a published snapshot).
///
/// A member restored from a snapshot may still be *encoded*: its box holds
/// the snapshot bytes of its timeline and folds them the first time any field
/// is read (`EncodedMember`). A restart then costs a few varints a member
/// instead of a fold, and the fold happens later, on whichever thread first
/// needs the member (the engine warms every member in the background).
public struct Member: Sendable, Hashable {
    private final class Box: @unchecked Sendable {
        // @unchecked: `stored` is written in two ways only. (1) Through
        // `fields`' _modify, which `Member` uses on a uniquely referenced box
        // alone (it copies a shared box first). (2) Once per encoded box, by
        // `decode()` under `pending`'s lock, before `decoded` is set with
        // release ordering; every reader loads `decoded` with acquire ordering
        // (or takes the lock) before it reads `stored`.
        private let decoded: Atomic<Bool>
        /// The fields; for a box restored encoded, an empty placeholder with
        /// its id until the fold (not optional, so that a change of the
        /// fields happens in place).
        private var stored: MemberFields
        /// Only for a box restored encoded: the bytes, until the fold.
        private let pending: PendingFold?

        /// The encoded member and the lock its fold takes, allocated apart so
        /// that every other box carries one reference, not a lock.
        private final class PendingFold: Sendable {
            let member: Mutex<EncodedMember?>
            init(_ member: EncodedMember) { self.member = Mutex(member) }
        }

        init(_ fields: MemberFields) {
            decoded = Atomic(true)
            stored = fields
            pending = nil
        }

        init(encoded member: EncodedMember) {
            decoded = Atomic(false)
            stored = MemberFields(unfolded: member.id)
            pending = PendingFold(member)
        }

        var fields: MemberFields {
            _read {
                if !decoded.load(ordering: .acquiring) { decode() }
                yield stored
            }
            _modify {
                if !decoded.load(ordering: .acquiring) { decode() }
                yield &stored
            }
        }

        /// The snapshot bytes of a member not folded yet; nil once it is.
        var stillEncoded: EncodedMember? {
            if decoded.load(ordering: .acquiring) { return nil }
            return pending?.member.withLock { $0 }
        }

        /// Folds the encoded member; false if it was folded already (by anyone).
        @discardableResult
        func decode() -> Bool {
            guard !decoded.load(ordering: .acquiring), let pending else { return false }
            return pending.member.withLock { member in
                guard let encoded = member else { return false }  // another thread folded it first
                stored = encoded.decode()
                member = nil  // the fields no longer keep the snapshot's bytes alive
                decoded.store(true, ordering: .releasing)
                return true
            }
        }
    }

    private var box: Box
    /// Kept beside the box, not in it: a meeting updates the count of every
    /// participant, and that must not copy each one's fields (the box is
    /// shared with the published state after every commit).
    public internal(set) var references = ReferenceTracker()

    init(_ fields: MemberFields) { box = Box(fields) }

    /// A member that holds `id`'s place for a moment
    /// (`TreeDictionary.modifyExisting(_:placeholder:_:)`); never kept.
    static func placeholder(_ id: String) -> Member { Member(MemberFields(unfolded: id)) }

    /// A member restored from snapshot bytes, folded on first use.
    init(encoded: EncodedMember, references: ReferenceTracker) {
        box = Box(encoded: encoded)
        self.references = references
    }

    /// The snapshot bytes of this member if it has not been folded yet
    /// (a snapshot of it copies them as they are).
    var stillEncoded: EncodedMember? { box.stillEncoded }

    /// Whether the member is still as a snapshot stored it, not folded yet.
    public var isStillEncoded: Bool { box.stillEncoded != nil }

    /// Folds the member now if it is still encoded (the engine's warm-up);
    /// true if this call did it.
    @discardableResult
    public func decodeIfNeeded() -> Bool { box.decode() }

    var fields: MemberFields {
        get { box.fields }
        _modify {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.fields) }
            yield &box.fields
        }
    }

    public static func == (a: Member, b: Member) -> Bool {
        a.references == b.references && (a.box === b.box || a.box.fields == b.box.fields)
    }

    public func hash(into hasher: inout Hasher) {
        box.fields.hash(into: &hasher)
        hasher.combine(references)
    }

    /// Folds a timeline whose first entry is `registered` or `admitted`; nil otherwise.
    public init?(id: String, timeline: some Sequence<MemberTimelineEntry>) {
        guard let fields = MemberFields(id: id, timeline: timeline) else { return nil }
        self.init(fields)
    }

    /// The member as of the end of `date`: the fold of the entries dated on or
    /// before it; nil if the member was not registered by then.
    public func standing(on date: BusinessDate) -> Member? {
        if box.fields.latestEntryOn <= date { return self }
        return box.fields.standing(on: date).map(Member.init)
    }

    /// Applies one entry (which must come after every entry already applied).
    mutating func apply(_ entry: MemberTimelineEntry) { fields.apply(entry) }

    /// This member without the entries of `seq`, re-folded; nil if that removes its creation.
    func removing(seq: UInt64) -> Member? { box.fields.removing(seq: seq).map(withMyReferences) }

    /// This member as it was with only its first `entries` timeline entries
    /// (reference counts as they are now): the undo of an append, re-folded.
    /// Recording it holds no copy of the member, so the append that follows
    /// changes the member's box in place when nothing else shares it.
    func keepingFirst(_ entries: Int) -> Member? { box.fields.keepingFirst(entries).map(withMyReferences) }

    private func withMyReferences(_ fields: MemberFields) -> Member {
        var member = Member(fields)
        member.references = references
        return member
    }

    /// Whether a task was assigned on or before `date` (reads the list in
    /// place: a report asks this of every member).
    public func hasTask(assignedOnOrBefore date: BusinessDate) -> Bool {
        box.fields.firstTaskOn.map { $0 <= date } ?? false
    }

    /// Whether the member has already been rated for `year`.
    public func hasRating(forYear year: Int) -> Bool { box.fields.hasRating(forYear: year) }

    /// Not removed, expelled, or transferred to residence (a retired member is active).
    public var isActive: Bool { box.fields.departure == nil }

    public var id: String { box.fields.id }
    public var name: String { box.fields.name }
    /// The cell the member belongs to (the last one, for a member who left).
    public var cell: String { box.fields.cell }
    public var status: MemberStatus { box.fields.status }
    public var birthYear: Int? { box.fields.birthYear }
    public var registeredSeq: UInt64 { box.fields.registeredSeq }
    public var registeredOn: BusinessDate { box.fields.registeredOn }
    /// Admitted into the party in this ledger (`MemberAdmitted`) rather than registered.
    public var admitted: Bool { box.fields.admitted }
    public var confirmedOn: BusinessDate? { box.fields.confirmedOn }
    public var retiredOn: BusinessDate? { box.fields.retiredOn }
    public var departure: Departure? { box.fields.departure }
    public var departedOn: BusinessDate? { box.fields.departedOn }
    public var roles: [RoleKey: BusinessDate] { box.fields.roles }
    public var tasks: AppendOnlyList<TaskRecord> { box.fields.tasks }
    public var qualityRatings: [QualityRecord] { box.fields.qualityRatings }
    public var commendations: [CommendationRecord] { box.fields.commendations }
    public var trainings: [TrainingRecord] { box.fields.trainings }
    /// Disciplines imposed on the member, in order.
    public var disciplineIds: [String] { box.fields.disciplineIds }
    /// The date of the latest change of standing (a non-leaf entry): later
    /// changes of standing may not be dated before it.
    public var lastStandingChangeOn: BusinessDate { box.fields.lastStandingChangeOn }
    public var timeline: AppendOnlyList<MemberTimelineEntry> { box.fields.timeline }
}

/// The stored fields of a `Member` and the fold that computes them.
struct MemberFields: Sendable, Hashable {
    // What a report reads of every member comes first, so that it shares one
    // or two cache lines: a bloc-wide report touches a hundred thousand boxes
    // and is bound by memory latency.
    let id: String
    /// The cell the member belongs to (the last one, for a member who left).
    var cell: String = ""
    var registeredOn = BusinessDate(dayNumber: 0)
    /// The date of the latest change of standing (a non-leaf entry): later
    /// changes of standing may not be dated before it.
    var lastStandingChangeOn = BusinessDate(dayNumber: Int32.min)  // (not 1970: dates go back to 1900)
    /// The latest date of any entry: on or after it, the member's standing is the current one.
    var latestEntryOn = BusinessDate(dayNumber: Int32.min)
    /// The earliest `assignedOn` of the member's tasks.
    var firstTaskOn: BusinessDate?
    var retiredOn: BusinessDate?
    var departure: Departure?
    var name: String = ""
    var status: MemberStatus = .probationary
    var birthYear: Int?
    var registeredSeq: UInt64 = 0
    /// Admitted into the party in this ledger (`MemberAdmitted`) rather than registered.
    var admitted = false
    var confirmedOn: BusinessDate?
    var departedOn: BusinessDate?
    var roles: [RoleKey: BusinessDate] = [:]
    var tasks: AppendOnlyList<TaskRecord> = []
    var qualityRatings: [QualityRecord] = []
    var commendations: [CommendationRecord] = []
    var trainings: [TrainingRecord] = []
    /// Disciplines imposed on the member, in order.
    var disciplineIds: [String] = []
    var timeline: AppendOnlyList<MemberTimelineEntry> = []

    /// Not removed, expelled, or transferred to residence (a retired member is active).
    var isActive: Bool { departure == nil }

    /// No entry folded yet: the placeholder of a member still encoded.
    fileprivate init(unfolded id: String) { self.id = id }

    /// Folds a timeline whose first entry is `registered` or `admitted`; nil otherwise.
    init?(id: String, timeline: some Sequence<MemberTimelineEntry>) {
        self.id = id
        var started = false
        for entry in timeline {
            if !started {
                switch entry.change {
                case .registered, .admitted: started = true
                default: return nil
                }
            }
            apply(entry)
        }
        if !started { return nil }
    }

    /// The member as of the end of `date`: the fold of the entries dated on or
    /// before it; nil if the member was not registered by then.
    func standing(on date: BusinessDate) -> MemberFields? {
        if latestEntryOn <= date { return self }
        return MemberFields(id: id, timeline: timeline.lazy.filter { $0.occurredOn <= date })
    }

    /// Applies one entry (which must come after every entry already applied).
    mutating func apply(_ entry: MemberTimelineEntry) {
        assert(timeline.last.map { $0.seq <= entry.seq } ?? true, "member timeline out of seq order")
        timeline.append(entry)
        let on = entry.occurredOn
        if !entry.change.isLeaf { lastStandingChangeOn = max(lastStandingChangeOn, on) }
        latestEntryOn = max(latestEntryOn, on)
        switch entry.change {
        case .registered(let name, let cell, let status, let birthYear):
            self.name = name
            self.cell = cell
            self.status = status
            self.birthYear = birthYear
            registeredSeq = entry.seq
            registeredOn = on
            if status == .official { confirmedOn = nil }
        case .admitted(let name, let cell):
            self.name = name
            self.cell = cell
            status = .probationary
            admitted = true
            registeredSeq = entry.seq
            registeredOn = on
        case .confirmed:
            status = .official
            confirmedOn = on
        case .transferred(let toCell, _, let endedRoles):
            cell = toCell
            for role in endedRoles { roles[role] = nil }
        case .roleAssigned(let key):
            roles[key] = on
        case .roleEnded(let key):
            roles[key] = nil
        case .taskAssigned(let task, let assignedBy, let dueOn):
            tasks.append(TaskRecord(seq: entry.seq, assignedOn: on, task: task, assignedBy: assignedBy, dueOn: dueOn))
            firstTaskOn = min(firstTaskOn ?? on, on)
        case .retired:
            retiredOn = on
        case .transferredToResidence(let residence):
            depart(.transferredToResidence(residenceOrganization: residence), on: on)
        case .removed(let reason):
            depart(.removed(reason), on: on)
        case .disciplineImposed(let disciplineId, let form, _):
            disciplineIds.append(disciplineId)
            if form == .expulsion { depart(.expelled(disciplineId: disciplineId), on: on) }
        case .disciplineRevised(let disciplineId, let outcome, _):
            if outcome != .upheld, departure == .expelled(disciplineId: disciplineId) {
                departure = nil
                departedOn = nil
            }
        case .qualityEvaluated(let year, let rating):
            qualityRatings.append(QualityRecord(seq: entry.seq, evaluatedOn: on, year: year, rating: rating))
        case .commended(let by, let title):
            commendations.append(CommendationRecord(seq: entry.seq, on: on, by: by, title: title))
        case .trainingCompleted(let course, let by):
            trainings.append(TrainingRecord(seq: entry.seq, on: on, course: course, by: by))
        }
    }

    /// Leaving ends every role; a reinstatement does not give them back.
    private mutating func depart(_ why: Departure, on date: BusinessDate) {
        departure = why
        departedOn = date
        roles = [:]
    }

    /// The fold of the first `entries` entries; nil if that leaves out the creation.
    func keepingFirst(_ entries: Int) -> MemberFields? {
        MemberFields(id: id, timeline: timeline.prefix(entries))
    }

    /// This member without the entries of `seq`, re-folded; nil if that removes its creation.
    func removing(seq: UInt64) -> MemberFields? {
        MemberFields(id: id, timeline: timeline.filter { $0.seq != seq })
    }

    /// Whether the member has already been rated for `year`.
    func hasRating(forYear year: Int) -> Bool { qualityRatings.contains { $0.year == year } }
}
