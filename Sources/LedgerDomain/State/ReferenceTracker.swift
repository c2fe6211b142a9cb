/// Counts the non-retracted events after an entity's creation that refer to
/// it, and remembers the latest one: enough to refuse retracting the creation
/// (any reference depends on it) without keeping every reference in memory.
///
/// `latest` is an upper bound: when the latest reference is itself retracted,
/// finding another one scans the log backwards (`DomainState.dependentReference`),
/// which only happens while refusing a retraction.
public struct ReferenceTracker: Sendable, Hashable {
    public internal(set) var count: Int = 0
    public internal(set) var latest: UInt64 = 0

    public init() {}

    init(count: Int, latest: UInt64) {
        self.count = count
        self.latest = latest
    }

    mutating func add(_ seq: UInt64) {
        count += 1
        latest = max(latest, seq)
    }

    mutating func remove(_ seq: UInt64) {
        // Underflow would mean a retraction undid a reference never counted (a damaged
        // log): trap in debug builds, stay at zero in release so a replay can finish.
        assert(count > 0, "reference count underflow at seq \(seq)")
        count = max(0, count - 1)
        if count == 0 { latest = 0 }
    }
}

/// An entity whose later references are counted (organizations, members,
/// inspections, disciplines).
protocol ReferenceCounted {
    var references: ReferenceTracker { get set }
}

extension Organization: ReferenceCounted {}
extension Member: ReferenceCounted {}
extension Inspection: ReferenceCounted {}
extension Discipline: ReferenceCounted {}

/// An entity an event can refer to.
public enum EntityRef: Sendable, Hashable, CustomStringConvertible {
    case organization(String)
    case member(String)
    case inspection(String)
    case discipline(String)

    public var description: String {
        switch self {
        case .organization(let c): return "organization \(c)"
        case .member(let m): return "member \(m)"
        case .inspection(let i): return "inspection \(i)"
        case .discipline(let d): return "discipline \(d)"
        }
    }
}

extension Subject {
    var ref: EntityRef {
        switch self {
        case .member(let id): return .member(id)
        case .organization(let code): return .organization(code)
        }
    }
}

extension DomainEvent {
    /// The entities this event refers to, other than the one it creates; each once.
    public var references: [EntityRef] {
        var refs: [EntityRef] = []
        func add(_ r: EntityRef) { if !refs.contains(r) { refs.append(r) } }
        switch self {
        case .organizationRegistered(let e): if let p = e.parent { add(.organization(p)) }
        case .organizationDissolved(let e): add(.organization(e.code))
        case .memberRegistered(let e): add(.organization(e.cell))
        case .memberAdmitted(let e): add(.organization(e.cell))
        case .memberConfirmed(let e): add(.member(e.memberId))
        case .memberTransferred(let e):
            add(.member(e.memberId))
            add(.organization(e.toCell))
        case .memberRoleAssigned(let e):
            add(.member(e.memberId))
            add(.organization(e.organization))
        case .memberRoleEnded(let e):
            add(.member(e.memberId))
            add(.organization(e.organization))
        case .memberTaskAssigned(let e):
            add(.member(e.memberId))
            if let by = e.assignedBy { add(.organization(by)) }
        case .memberRetired(let e): add(.member(e.memberId))
        case .memberTransferredToResidence(let e): add(.member(e.memberId))
        case .memberRemoved(let e): add(.member(e.memberId))
        case .meetingHeld(let e):
            add(.organization(e.cell))
            refs.reserveCapacity(1 + e.attendees.count + e.absentees.count + e.speakers.count)
            for m in Self.participants(of: e) { refs.append(.member(m)) }
        case .inspectionFiled(let e):
            add(.organization(e.by))
            for o in e.targetOrganizations { add(.organization(o)) }
            for m in e.targetMembers ?? [] { add(.member(m)) }
        case .inspectionConcluded(let e): add(.inspection(e.inspectionId))
        case .disciplineImposed(let e):
            add(e.subject.ref)
            add(.organization(e.decidedBy))
            if let i = e.inspectionId { add(.inspection(i)) }
        case .disciplineAppealed(let e): add(.discipline(e.disciplineId))
        case .disciplineRevised(let e): add(.discipline(e.disciplineId))
        case .qualityEvaluated(let e): add(e.subject.ref)
        case .commended(let e):
            add(e.subject.ref)
            add(.organization(e.by))
        case .trainingCompleted(let e):
            add(.member(e.memberId))
            add(.organization(e.by))
        case .eventRetracted: break
        }
        return refs
    }

    /// Calls `body` with each of `references`, in the same order, without
    /// building the list for the commonest events (a replay applies
    /// millions: the list is an allocation and a free each).
    @inline(__always)
    func forEachReference(_ body: (EntityRef) -> Void) {
        switch self {
        case .qualityEvaluated(let e): body(e.subject.ref)
        case .memberRegistered(let e): body(.organization(e.cell))
        case .memberConfirmed(let e): body(.member(e.memberId))
        case .memberRetired(let e): body(.member(e.memberId))
        case .memberTaskAssigned(let e):
            body(.member(e.memberId))
            if let by = e.assignedBy { body(.organization(by)) }
        case .trainingCompleted(let e):
            body(.member(e.memberId))
            body(.organization(e.by))
        case .memberRoleAssigned(let e):
            body(.member(e.memberId))
            body(.organization(e.organization))
        case .commended(let e):
            body(e.subject.ref)
            if e.subject != .organization(e.by) { body(.organization(e.by)) }
        default:
            for ref in references { body(ref) }
        }
    }

    /// Everyone a meeting names (attendees, absentees, speakers), each once,
    /// in that order. Replay computes this for every meeting, so small
    /// meetings (nearly all) are deduplicated by comparison, without a set.
    static func participants(of e: MeetingHeld) -> [String] {
        let count = e.attendees.count + e.absentees.count + e.speakers.count
        var out: [String] = []
        out.reserveCapacity(count)
        if count <= 64 {
            for m in e.attendees where !out.contains(m) { out.append(m) }
            for a in e.absentees where !out.contains(a.memberId) { out.append(a.memberId) }
            for m in e.speakers where !out.contains(m) { out.append(m) }
        } else {
            var seen = Set<String>(minimumCapacity: count)
            for m in e.attendees where seen.insert(m).inserted { out.append(m) }
            for a in e.absentees where seen.insert(a.memberId).inserted { out.append(a.memberId) }
            for m in e.speakers where seen.insert(m).inserted { out.append(m) }
        }
        return out
    }

    /// The entity this event creates, if it is a creation event.
    public var createdEntity: EntityRef? {
        switch self {
        case .organizationRegistered(let e): return .organization(e.code)
        case .memberRegistered(let e): return .member(e.memberId)
        case .memberAdmitted(let e): return .member(e.memberId)
        case .inspectionFiled(let e): return .inspection(e.inspectionId)
        case .disciplineImposed(let e): return .discipline(e.disciplineId)
        default: return nil
        }
    }
}
