/// The closed vocabularies of CONTRACT.md. Raw values are the wire spelling;
/// anything else is refused as `invalid-enum-value`.

/// `OrganizationRegistered.kind`: bloc (Đảng bộ Khối) > committee (đảng bộ cơ sở/bộ phận) > cell (chi bộ).
public enum OrganizationKind: String, CaseIterable, Sendable, Codable {
    case bloc, committee, cell

    /// The kinds a parent of this kind may have (a cell sits under a committee or directly under a bloc).
    public var allowedParentKinds: Set<OrganizationKind> {
        switch self {
        case .bloc: return []
        case .committee: return [.bloc, .committee]
        case .cell: return [.bloc, .committee]
        }
    }
}

/// Đảng viên dự bị / chính thức.
public enum MemberStatus: String, CaseIterable, Sendable, Codable {
    case probationary, official
}

/// `MemberTransferred.kind`: chuyển sinh hoạt chính thức / tạm thời. Both move the member's cell.
public enum TransferKind: String, CaseIterable, Sendable, Codable {
    case official, temporary
}

/// Roles in an organization's committee (cấp ủy).
public enum Role: String, CaseIterable, Sendable, Codable, Comparable {
    case secretary
    case deputySecretary = "deputy-secretary"
    case committeeMember = "committee-member"

    public static func < (a: Role, b: Role) -> Bool { a.rawValue < b.rawValue }
}

/// `MemberRemoved.reason`.
public enum RemovalReason: String, CaseIterable, Sendable, Codable {
    case deceased
    case struckOff = "struck-off"
    case expelled
    case left
}

/// Sinh hoạt chi bộ định kỳ / chuyên đề.
public enum MeetingKind: String, CaseIterable, Sendable, Codable {
    case regular, thematic
}

/// Kiểm tra / giám sát / kiểm tra khi có dấu hiệu vi phạm.
public enum InspectionKind: String, CaseIterable, Sendable, Codable {
    case inspection, supervision
    case violationInspection = "violation-inspection"
}

/// Forms of discipline. Members: reprimand < warning < dismissal < expulsion;
/// organizations: reprimand < warning < dissolution.
public enum DisciplineForm: String, CaseIterable, Sendable, Codable {
    case reprimand, warning, dismissal, expulsion, dissolution

    /// The forms allowed for a subject kind (CONTRACT.md).
    public static func allowed(for kind: SubjectKind) -> [DisciplineForm] {
        switch kind {
        case .member: return [.reprimand, .warning, .dismissal, .expulsion]
        case .organization: return [.reprimand, .warning, .dissolution]
        }
    }

    /// The forms a probationary member may receive.
    public static let allowedForProbationary: [DisciplineForm] = [.reprimand, .warning]

    /// Severity for "reduced" revisions: a reduction must go strictly down.
    public var severity: Int {
        switch self {
        case .reprimand: return 1
        case .warning: return 2
        case .dismissal: return 3
        case .expulsion, .dissolution: return 4
        }
    }
}

/// `DisciplineRevised.outcome`.
public enum RevisionOutcome: String, CaseIterable, Sendable, Codable {
    case upheld, reduced, annulled
}

/// `QualityEvaluated.rating`: hoàn thành xuất sắc / tốt / hoàn thành / không hoàn thành nhiệm vụ.
public enum QualityRating: String, CaseIterable, Sendable, Codable {
    case excellent, good, satisfactory, unsatisfactory
}

/// `subjectKind` of discipline, quality evaluation and commendation.
public enum SubjectKind: String, CaseIterable, Sendable, Codable {
    case member, organization
}

/// A member or an organization that a discipline, evaluation or commendation is about.
public enum Subject: Sendable, Hashable {
    case member(String)
    case organization(String)

    public var kind: SubjectKind {
        switch self {
        case .member: return .member
        case .organization: return .organization
        }
    }

    /// The memberId or organization code.
    public var id: String {
        switch self {
        case .member(let id), .organization(let id): return id
        }
    }

    /// The stream of events about this subject: `member/<id>` or `org/<code>`.
    public var stream: String {
        switch self {
        case .member(let id): return "member/\(id)"
        case .organization(let code): return "org/\(code)"
        }
    }
}
