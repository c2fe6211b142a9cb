public import LedgerJSON

/// A member already in the party enters the ledger (an import or a member
/// arriving from outside the ledger's organizations). Rules: `MemberRules`.
public struct MemberRegistered: EventPayload {
    public var memberId: String
    public var name: String
    public var cell: String
    public var status: MemberStatus
    public var birthYear: Int?

    public init(memberId: String, name: String, cell: String, status: MemberStatus, birthYear: Int? = nil) {
        self.memberId = memberId
        self.name = name
        self.cell = cell
        self.status = status
        self.birthYear = birthYear
    }

    static let eventType = EventType.memberRegistered
    static let fields = ["memberId", "name", "cell", "status", "birthYear"]

    init(reading r: FieldReader) throws(DomainError) {
        memberId = try r.id("memberId")
        name = try r.name("name")
        cell = try r.id("cell")
        status = try r.enumeration("status", MemberStatus.self)
        birthYear = try r.optionalInt(
            "birthYear", Int64(DomainLimits.birthYearMin)...Int64(DomainLimits.birthYearMax)).map { Int($0) }
    }

    public var data: JSONValue {
        var d = DataObject()
        d["memberId"] = memberId
        d["name"] = name
        d["cell"] = cell
        d.set("status", status)
        d.set("birthYear", birthYear)
        return d.json
    }

    var event: DomainEvent { .memberRegistered(self) }
}

/// A new member is admitted (kết nạp): probationary, in `cell`.
public struct MemberAdmitted: EventPayload {
    public var memberId: String
    public var name: String
    public var cell: String

    public init(memberId: String, name: String, cell: String) {
        self.memberId = memberId
        self.name = name
        self.cell = cell
    }

    static let eventType = EventType.memberAdmitted
    static let fields = ["memberId", "name", "cell"]

    init(reading r: FieldReader) throws(DomainError) {
        memberId = try r.id("memberId")
        name = try r.name("name")
        cell = try r.id("cell")
    }

    public var data: JSONValue {
        var d = DataObject()
        d["memberId"] = memberId
        d["name"] = name
        d["cell"] = cell
        return d.json
    }

    var event: DomainEvent { .memberAdmitted(self) }
}

/// A probationary member becomes official (công nhận đảng viên chính thức).
public struct MemberConfirmed: EventPayload {
    public var memberId: String

    public init(memberId: String) { self.memberId = memberId }

    static let eventType = EventType.memberConfirmed
    static let fields = ["memberId"]

    init(reading r: FieldReader) throws(DomainError) { memberId = try r.id("memberId") }

    public var data: JSONValue { .object(["memberId": .string(memberId)]) }

    var event: DomainEvent { .memberConfirmed(self) }
}

/// A member moves to another cell (chuyển sinh hoạt đảng), officially or temporarily.
/// Both kinds move the member's cell; roles in organizations that are not the
/// new cell or above it end with the move.
public struct MemberTransferred: EventPayload {
    public var memberId: String
    public var toCell: String
    public var kind: TransferKind

    public init(memberId: String, toCell: String, kind: TransferKind) {
        self.memberId = memberId
        self.toCell = toCell
        self.kind = kind
    }

    static let eventType = EventType.memberTransferred
    static let fields = ["memberId", "toCell", "kind"]

    init(reading r: FieldReader) throws(DomainError) {
        memberId = try r.id("memberId")
        toCell = try r.id("toCell")
        kind = try r.enumeration("kind", TransferKind.self)
    }

    public var data: JSONValue {
        var d = DataObject()
        d["memberId"] = memberId
        d["toCell"] = toCell
        d.set("kind", kind)
        return d.json
    }

    var event: DomainEvent { .memberTransferred(self) }
}

/// A member takes a role in the committee of `organization` (the member's cell or one above it).
public struct MemberRoleAssigned: EventPayload {
    public var memberId: String
    public var organization: String
    public var role: Role

    public init(memberId: String, organization: String, role: Role) {
        self.memberId = memberId
        self.organization = organization
        self.role = role
    }

    static let eventType = EventType.memberRoleAssigned
    static let fields = ["memberId", "organization", "role"]

    init(reading r: FieldReader) throws(DomainError) {
        memberId = try r.id("memberId")
        organization = try r.id("organization")
        role = try r.enumeration("role", Role.self)
    }

    public var data: JSONValue {
        var d = DataObject()
        d["memberId"] = memberId
        d["organization"] = organization
        d.set("role", role)
        return d.json
    }

    var event: DomainEvent { .memberRoleAssigned(self) }
}

/// A member's role ends.
public struct MemberRoleEnded: EventPayload {
    public var memberId: String
    public var organization: String
    public var role: Role

    public init(memberId: String, organization: String, role: Role) {
        self.memberId = memberId
        self.organization = organization
        self.role = role
    }

    static let eventType = EventType.memberRoleEnded
    static let fields = ["memberId", "organization", "role"]

    init(reading r: FieldReader) throws(DomainError) {
        memberId = try r.id("memberId")
        organization = try r.id("organization")
        role = try r.enumeration("role", Role.self)
    }

    public var data: JSONValue {
        var d = DataObject()
        d["memberId"] = memberId
        d["organization"] = organization
        d.set("role", role)
        return d.json
    }

    var event: DomainEvent { .memberRoleEnded(self) }
}

/// A task is assigned to a member (phân công nhiệm vụ). A leaf event.
public struct MemberTaskAssigned: EventPayload {
    public var memberId: String
    public var task: String
    public var assignedBy: String?
    public var dueOn: BusinessDate?

    public init(memberId: String, task: String, assignedBy: String? = nil, dueOn: BusinessDate? = nil) {
        self.memberId = memberId
        self.task = task
        self.assignedBy = assignedBy
        self.dueOn = dueOn
    }

    static let eventType = EventType.memberTaskAssigned
    static let fields = ["memberId", "task", "assignedBy", "dueOn"]

    init(reading r: FieldReader) throws(DomainError) {
        memberId = try r.id("memberId")
        task = try r.text("task")
        assignedBy = try r.optionalId("assignedBy")
        dueOn = try r.optionalDate("dueOn")
    }

    public var data: JSONValue {
        var d = DataObject()
        d["memberId"] = memberId
        d["task"] = task
        d["assignedBy"] = assignedBy
        d.set("dueOn", dueOn)
        return d.json
    }

    var event: DomainEvent { .memberTaskAssigned(self) }
}

/// A member retires (nghỉ hưu). The member stays active in the cell until
/// `MemberTransferredToResidence`; at most once.
public struct MemberRetired: EventPayload {
    public var memberId: String

    public init(memberId: String) { self.memberId = memberId }

    static let eventType = EventType.memberRetired
    static let fields = ["memberId"]

    init(reading r: FieldReader) throws(DomainError) { memberId = try r.id("memberId") }

    public var data: JSONValue { .object(["memberId": .string(memberId)]) }

    var event: DomainEvent { .memberRetired(self) }
}

/// A member's party activity moves to the organization where the member
/// lives, outside the ledger: the member leaves.
public struct MemberTransferredToResidence: EventPayload {
    public var memberId: String
    /// Free text: the party organization of the member's residence.
    public var residenceOrganization: String

    public init(memberId: String, residenceOrganization: String) {
        self.memberId = memberId
        self.residenceOrganization = residenceOrganization
    }

    static let eventType = EventType.memberTransferredToResidence
    static let fields = ["memberId", "residenceOrganization"]

    init(reading r: FieldReader) throws(DomainError) {
        memberId = try r.id("memberId")
        residenceOrganization = try r.name("residenceOrganization")
    }

    public var data: JSONValue {
        var d = DataObject()
        d["memberId"] = memberId
        d["residenceOrganization"] = residenceOrganization
        return d.json
    }

    var event: DomainEvent { .memberTransferredToResidence(self) }
}

/// A member leaves the party's rolls: the member leaves the ledger's active members.
public struct MemberRemoved: EventPayload {
    public var memberId: String
    public var reason: RemovalReason

    public init(memberId: String, reason: RemovalReason) {
        self.memberId = memberId
        self.reason = reason
    }

    static let eventType = EventType.memberRemoved
    static let fields = ["memberId", "reason"]

    init(reading r: FieldReader) throws(DomainError) {
        memberId = try r.id("memberId")
        reason = try r.enumeration("reason", RemovalReason.self)
    }

    public var data: JSONValue {
        var d = DataObject()
        d["memberId"] = memberId
        d.set("reason", reason)
        return d.json
    }

    var event: DomainEvent { .memberRemoved(self) }
}
