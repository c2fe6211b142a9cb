public import LedgerJSON

/// One decoded, valid-shaped event: a case per type of CONTRACT.md with its typed payload.
public enum DomainEvent: Sendable, Hashable {
    case organizationRegistered(OrganizationRegistered)
    case organizationDissolved(OrganizationDissolved)
    case memberRegistered(MemberRegistered)
    case memberAdmitted(MemberAdmitted)
    case memberConfirmed(MemberConfirmed)
    case memberTransferred(MemberTransferred)
    case memberRoleAssigned(MemberRoleAssigned)
    case memberRoleEnded(MemberRoleEnded)
    case memberTaskAssigned(MemberTaskAssigned)
    case memberRetired(MemberRetired)
    case memberTransferredToResidence(MemberTransferredToResidence)
    case memberRemoved(MemberRemoved)
    case meetingHeld(MeetingHeld)
    case inspectionFiled(InspectionFiled)
    case inspectionConcluded(InspectionConcluded)
    case disciplineImposed(DisciplineImposed)
    case disciplineAppealed(DisciplineAppealed)
    case disciplineRevised(DisciplineRevised)
    case qualityEvaluated(QualityEvaluated)
    case commended(Commended)
    case trainingCompleted(TrainingCompleted)
    case eventRetracted(EventRetracted)
}

extension DomainEvent {
    /// Decodes `data` of an event of `type` strictly (fields, types, limits, NFC).
    /// Throws `DomainError` with a 1xx code (or `form-not-allowed-for-subject`)
    /// and the JSON path under `path`.
    public static func decode(type: EventType, data: JSONValue, path: String = "data") throws(DomainError) -> DomainEvent {
        try type.payloadType.decode(data, path: path).event
    }

    var payload: any EventPayload {
        switch self {
        case .organizationRegistered(let p): return p
        case .organizationDissolved(let p): return p
        case .memberRegistered(let p): return p
        case .memberAdmitted(let p): return p
        case .memberConfirmed(let p): return p
        case .memberTransferred(let p): return p
        case .memberRoleAssigned(let p): return p
        case .memberRoleEnded(let p): return p
        case .memberTaskAssigned(let p): return p
        case .memberRetired(let p): return p
        case .memberTransferredToResidence(let p): return p
        case .memberRemoved(let p): return p
        case .meetingHeld(let p): return p
        case .inspectionFiled(let p): return p
        case .inspectionConcluded(let p): return p
        case .disciplineImposed(let p): return p
        case .disciplineAppealed(let p): return p
        case .disciplineRevised(let p): return p
        case .qualityEvaluated(let p): return p
        case .commended(let p): return p
        case .trainingCompleted(let p): return p
        case .eventRetracted(let p): return p
        }
    }

    public var type: EventType { Swift.type(of: payload).eventType }

    /// The canonical `data` object: only present fields, text in NFC.
    public var data: JSONValue { payload.data }

    /// The memberId of a member event (the `member/<id>` stream), if this is one.
    public var memberId: String? {
        switch self {
        case .memberRegistered(let e): return e.memberId
        case .memberAdmitted(let e): return e.memberId
        case .memberConfirmed(let e): return e.memberId
        case .memberTransferred(let e): return e.memberId
        case .memberRoleAssigned(let e): return e.memberId
        case .memberRoleEnded(let e): return e.memberId
        case .memberTaskAssigned(let e): return e.memberId
        case .memberRetired(let e): return e.memberId
        case .memberTransferredToResidence(let e): return e.memberId
        case .memberRemoved(let e): return e.memberId
        case .trainingCompleted(let e): return e.memberId
        case .qualityEvaluated(let e): if case .member(let id) = e.subject { return id } else { return nil }
        case .commended(let e): if case .member(let id) = e.subject { return id } else { return nil }
        default: return nil
        }
    }

    /// The stream the event belongs to (its `streamVersion` counts within it):
    /// - `org/<code>`: OrganizationRegistered, OrganizationDissolved, MeetingHeld (the cell),
    ///   QualityEvaluated and Commended of an organization;
    /// - `member/<id>`: member events, MemberTaskAssigned, TrainingCompleted,
    ///   QualityEvaluated and Commended of a member;
    /// - `inspection/<id>`, `discipline/<id>`;
    /// - `retraction/<seq>` for EventRetracted (the retracted seq).
    public var stream: String {
        switch self {
        case .organizationRegistered(let e): return "org/\(e.code)"
        case .organizationDissolved(let e): return "org/\(e.code)"
        case .meetingHeld(let e): return "org/\(e.cell)"
        case .qualityEvaluated(let e): return e.subject.stream
        case .commended(let e): return e.subject.stream
        case .inspectionFiled(let e): return "inspection/\(e.inspectionId)"
        case .inspectionConcluded(let e): return "inspection/\(e.inspectionId)"
        case .disciplineImposed(let e): return "discipline/\(e.disciplineId)"
        case .disciplineAppealed(let e): return "discipline/\(e.disciplineId)"
        case .disciplineRevised(let e): return "discipline/\(e.disciplineId)"
        case .eventRetracted(let e): return "retraction/\(e.seq)"
        default: return "member/\(memberId!)"
        }
    }

    /// Leaf events change no entity's standing, so no later event can depend on them.
    public var isLeaf: Bool {
        switch type {
        case .meetingHeld, .qualityEvaluated, .commended, .trainingCompleted, .memberTaskAssigned: return true
        default: return false
        }
    }
}
