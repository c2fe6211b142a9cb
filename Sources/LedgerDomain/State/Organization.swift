/// One change in an organization's history (see `MemberTimelineEntry`).
public struct OrganizationTimelineEntry: Sendable, Hashable {
    public let seq: UInt64
    public let occurredOn: BusinessDate
    public let change: OrganizationChange

    public init(seq: UInt64, occurredOn: BusinessDate, change: OrganizationChange) {
        self.seq = seq
        self.occurredOn = occurredOn
        self.change = change
    }
}

public enum OrganizationChange: Sendable, Hashable {
    case registered(name: String, kind: OrganizationKind, parent: String?)
    /// `OrganizationDissolved` of this organization.
    case dissolved(reason: String)
    /// An ancestor (`ancestor`) was dissolved by this seq, and this organization with it.
    case dissolvedWithAncestor(ancestor: String)
    /// A `DisciplineImposed` on this organization (a dissolution dissolves it and its subtree).
    case disciplineImposed(disciplineId: String, form: DisciplineForm, decidedBy: String)
    case disciplineRevised(disciplineId: String, outcome: RevisionOutcome, newForm: DisciplineForm?)
    /// The dissolution made by event `dissolutionSeq` was undone by this seq
    /// (a revision that annulled or reduced a dissolution).
    case reinstated(dissolutionSeq: UInt64)
    case qualityEvaluated(year: Int, rating: QualityRating)
    case commended(by: String, title: String)

    public var isLeaf: Bool {
        switch self {
        case .qualityEvaluated, .commended: return true
        default: return false
        }
    }
}

public struct Dissolution: Sendable, Hashable {
    public enum Cause: Sendable, Hashable {
        case decision(reason: String)
        case discipline(disciplineId: String)
        case ancestor(code: String)
    }

    public var seq: UInt64
    public var on: BusinessDate
    public var cause: Cause
}

/// How many meetings a cell held in one calendar quarter (for the thematic-quarter warning).
public struct QuarterTally: Sendable, Hashable {
    public var regular: Int32 = 0
    public var thematic: Int32 = 0
}

/// An organization: the fold of its timeline, plus what the meeting rules
/// need (per-quarter meeting counts; meetings themselves are not kept).
public struct Organization: Sendable, Hashable {
    public let code: String
    public private(set) var name = ""
    public private(set) var kind = OrganizationKind.cell
    public private(set) var parent: String?
    public private(set) var registeredSeq: UInt64 = 0
    public private(set) var registeredOn = BusinessDate(dayNumber: 0)
    public private(set) var dissolution: Dissolution?
    public private(set) var qualityRatings: [QualityRecord] = []
    public private(set) var commendations: [CommendationRecord] = []
    public private(set) var disciplineIds: [String] = []
    public private(set) var timeline: AppendOnlyList<OrganizationTimelineEntry> = []
    public internal(set) var references = ReferenceTracker()
    /// Cells only: meetings per quarter index (`BusinessDate.quarterIndex`), at most 4 entries a year.
    public internal(set) var meetingQuarters: [Int: QuarterTally] = [:]

    public var isDissolved: Bool { dissolution != nil }

    /// An organization that holds `code`'s place for a moment
    /// (`TreeDictionary.modifyExisting(_:placeholder:_:)`); never kept.
    static func placeholder(_ code: String) -> Organization { Organization(placeholderFor: code) }

    private init(placeholderFor code: String) { self.code = code }

    public init?(code: String, timeline: some Sequence<OrganizationTimelineEntry>) {
        self.code = code
        var started = false
        for entry in timeline {
            if !started {
                guard case .registered = entry.change else { return nil }
                started = true
            }
            apply(entry)
        }
        if !started { return nil }
    }

    /// The organization as of the end of `date`; nil if not registered by then.
    public func standing(on date: BusinessDate) -> Organization? {
        if timeline.allSatisfy({ $0.occurredOn <= date }) { return self }
        return Organization(code: code, timeline: timeline.lazy.filter { $0.occurredOn <= date })
    }

    /// The first calendar quarter the organization existed for in full.
    public var firstFullQuarter: Int {
        let q = registeredOn.quarterIndex
        return BusinessDate.firstDay(ofQuarter: q) == registeredOn ? q : q + 1
    }

    mutating func apply(_ entry: OrganizationTimelineEntry) {
        timeline.append(entry)
        let on = entry.occurredOn
        switch entry.change {
        case .registered(let name, let kind, let parent):
            self.name = name
            self.kind = kind
            self.parent = parent
            registeredSeq = entry.seq
            registeredOn = on
        case .dissolved(let reason):
            dissolve(Dissolution(seq: entry.seq, on: on, cause: .decision(reason: reason)))
        case .dissolvedWithAncestor(let ancestor):
            dissolve(Dissolution(seq: entry.seq, on: on, cause: .ancestor(code: ancestor)))
        case .disciplineImposed(let id, let form, _):
            disciplineIds.append(id)
            if form == .dissolution { dissolve(Dissolution(seq: entry.seq, on: on, cause: .discipline(disciplineId: id))) }
        case .disciplineRevised:
            break
        case .reinstated(let dissolutionSeq):
            if dissolution?.seq == dissolutionSeq { dissolution = nil }
        case .qualityEvaluated(let year, let rating):
            qualityRatings.append(QualityRecord(seq: entry.seq, evaluatedOn: on, year: year, rating: rating))
        case .commended(let by, let title):
            commendations.append(CommendationRecord(seq: entry.seq, on: on, by: by, title: title))
        }
    }

    /// An organization already dissolved keeps its first dissolution.
    private mutating func dissolve(_ d: Dissolution) {
        if dissolution == nil { dissolution = d }
    }

    func removing(seq: UInt64) -> Organization? {
        guard var o = Organization(code: code, timeline: timeline.filter { $0.seq != seq }) else { return nil }
        o.references = references
        o.meetingQuarters = meetingQuarters
        return o
    }

    /// This organization as it was with only its first `entries` timeline
    /// entries (reference counts and meeting tallies as they are now): the
    /// undo of an append, re-folded, so that recording an undo never holds a
    /// copy of the organization.
    func keepingFirst(_ entries: Int) -> Organization? {
        guard var o = Organization(code: code, timeline: timeline.prefix(entries)) else { return nil }
        o.references = references
        o.meetingQuarters = meetingQuarters
        return o
    }

    public func hasRating(forYear year: Int) -> Bool { qualityRatings.contains { $0.year == year } }
}
