/// A member as the ledger knows it: the fold of `timeline` (in seq order).
///
/// Every derived field is recomputed by `init?(timeline:)`, and kept up to
/// date by `apply(_:)` with exactly the same code, so an incremental apply and
/// a re-fold after a retraction can never disagree.
public struct Member: Sendable, Hashable {
    public let id: String
    public private(set) var name: String = ""
    /// The cell the member belongs to (the last one, for a member who left).
    public private(set) var cell: String = ""
    public private(set) var status: MemberStatus = .probationary
    public private(set) var birthYear: Int?
    public private(set) var registeredSeq: UInt64 = 0
    public private(set) var registeredOn = BusinessDate(dayNumber: 0)
    /// Admitted into the party in this ledger (`MemberAdmitted`) rather than registered.
    public private(set) var admitted = false
    public private(set) var confirmedOn: BusinessDate?
    public private(set) var retiredOn: BusinessDate?
    public private(set) var departure: Departure?
    public private(set) var departedOn: BusinessDate?
    public private(set) var roles: [RoleKey: BusinessDate] = [:]
    public private(set) var tasks: [TaskRecord] = []
    public private(set) var qualityRatings: [QualityRecord] = []
    public private(set) var commendations: [CommendationRecord] = []
    public private(set) var trainings: [TrainingRecord] = []
    /// Disciplines imposed on the member, in order.
    public private(set) var disciplineIds: [String] = []
    /// The date of the latest change of standing (a non-leaf entry): later
    /// changes of standing may not be dated before it.
    public private(set) var lastStandingChangeOn = BusinessDate(dayNumber: 0)
    public private(set) var timeline: [MemberTimelineEntry] = []
    /// Later events that refer to the member (for retraction of its creation).
    public internal(set) var references = ReferenceTracker()

    /// Not removed, expelled, or transferred to residence (a retired member is active).
    public var isActive: Bool { departure == nil }

    /// Folds a timeline whose first entry is `registered` or `admitted`; nil otherwise.
    public init?(id: String, timeline: some Sequence<MemberTimelineEntry>) {
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
    public func standing(on date: BusinessDate) -> Member? {
        if timeline.allSatisfy({ $0.occurredOn <= date }) { return self }
        return Member(id: id, timeline: timeline.lazy.filter { $0.occurredOn <= date })
    }

    /// Applies one entry (which must come after every entry already applied).
    mutating func apply(_ entry: MemberTimelineEntry) {
        assert(timeline.last.map { $0.seq <= entry.seq } ?? true, "member timeline out of seq order")
        timeline.append(entry)
        let on = entry.occurredOn
        if !entry.change.isLeaf { lastStandingChangeOn = max(lastStandingChangeOn, on) }
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

    /// This member without the entries of `seq`, re-folded; nil if that removes its creation.
    func removing(seq: UInt64) -> Member? {
        guard var m = Member(id: id, timeline: timeline.filter { $0.seq != seq }) else { return nil }
        m.references = references
        return m
    }

    /// Whether the member has already been rated for `year`.
    public func hasRating(forYear year: Int) -> Bool { qualityRatings.contains { $0.year == year } }
}
