/// One change in a member's history: the event's seq, its business date and
/// what changed. A member's state is the fold of its timeline, so a retraction
/// removes the entry and re-folds, and "standing on a date" folds the entries
/// dated on or before it.
public struct MemberTimelineEntry: Sendable, Hashable {
    public let seq: UInt64
    public let occurredOn: BusinessDate
    public let change: MemberChange

    public init(seq: UInt64, occurredOn: BusinessDate, change: MemberChange) {
        self.seq = seq
        self.occurredOn = occurredOn
        self.change = change
    }
}

/// A role held in an organization's committee.
public struct RoleKey: Sendable, Hashable, Comparable {
    public var organization: String
    public var role: Role

    public init(organization: String, role: Role) {
        self.organization = organization
        self.role = role
    }

    public static func < (a: RoleKey, b: RoleKey) -> Bool {
        (a.organization, a.role.rawValue) < (b.organization, b.role.rawValue)
    }
}

public enum MemberChange: Sendable, Hashable {
    case registered(name: String, cell: String, status: MemberStatus, birthYear: Int?)
    case admitted(name: String, cell: String)
    case confirmed
    /// `endedRoles`: the roles the move ended (held in organizations that are
    /// not the new cell or above it), fixed when the transfer was applied.
    case transferred(toCell: String, kind: TransferKind, endedRoles: [RoleKey])
    case roleAssigned(RoleKey)
    case roleEnded(RoleKey)
    case taskAssigned(task: String, assignedBy: String?, dueOn: BusinessDate?)
    case retired
    case transferredToResidence(residenceOrganization: String)
    case removed(RemovalReason)
    /// A `DisciplineImposed` on this member (an expulsion makes the member leave).
    case disciplineImposed(disciplineId: String, form: DisciplineForm, decidedBy: String)
    /// A `DisciplineRevised` of a discipline on this member; annulling or
    /// reducing an expulsion reinstates the member.
    case disciplineRevised(disciplineId: String, outcome: RevisionOutcome, newForm: DisciplineForm?)
    case qualityEvaluated(year: Int, rating: QualityRating)
    case commended(by: String, title: String)
    case trainingCompleted(course: String, by: String)

    /// Leaf changes (tasks, ratings, commendations, trainings) do not change standing.
    public var isLeaf: Bool {
        switch self {
        case .taskAssigned, .qualityEvaluated, .commended, .trainingCompleted: return true
        default: return false
        }
    }
}

/// Why a member is no longer active.
public enum Departure: Sendable, Hashable {
    case transferredToResidence(residenceOrganization: String)
    case removed(RemovalReason)
    case expelled(disciplineId: String)
}

public struct TaskRecord: Sendable, Hashable {
    public var seq: UInt64
    public var assignedOn: BusinessDate
    public var task: String
    public var assignedBy: String?
    public var dueOn: BusinessDate?
}

public struct QualityRecord: Sendable, Hashable {
    public var seq: UInt64
    public var evaluatedOn: BusinessDate
    public var year: Int
    public var rating: QualityRating
}

public struct CommendationRecord: Sendable, Hashable {
    public var seq: UInt64
    public var on: BusinessDate
    public var by: String
    public var title: String
}

public struct TrainingRecord: Sendable, Hashable {
    public var seq: UInt64
    public var on: BusinessDate
    public var course: String
    public var by: String
}
