/// Decodes the commonest stored events straight from the bytes of their
/// `data`, without building a JSON tree: a replay decodes every event of the
/// log. It reads the seventeen commonest types (meetings, quality ratings,
/// registrations and tasks alone are nine events in ten); the rest (an
/// inspection filed, disciplines, a dissolution) go the general way.
///
/// It reads only the plainest form (`PlainDataCursor`: canonical member
/// order, no escapes, text the general way keeps unchanged) and returns nil
/// for anything else: an event type it does not read, an older schema
/// version, an escape, a missing or unexpected member, a value out of its
/// limits. The caller then decodes the general way
/// (`StoredEventDecoder.decode`), which gives the event or the error. When
/// it returns an event, it is the event the general way returns (a
/// differential test holds the two together).
public enum InPlaceEventDecoder {
    /// The event, or nil: decode it the general way. `data` is the bytes of
    /// the record's `data` member.
    public static func decode(type: String, schemaVersion: Int, data: UnsafeRawBufferPointer) -> DomainEvent? {
        guard data.count <= dataBytesMax, let eventType = EventType(rawValue: type) else { return nil }
        var c = PlainDataCursor(data)
        guard let event = decode(type: eventType, schemaVersion: schemaVersion, from: &c), c.atEnd else { return nil }
        return event
    }

    /// As `decode(type:schemaVersion:data:)`, for a `data` object where `c`
    /// stands; the cursor is left after it. The caller bounds the bytes
    /// (`dataBytesMax`, the general parser's bound on a whole record).
    public static func decode(type: EventType, schemaVersion: Int, from c: inout PlainDataCursor) -> DomainEvent? {
        guard schemaVersion == StoredEventDecoder.currentSchemaVersion else { return nil }
        switch type {
        case .meetingHeld: return meetingHeld(&c).map(DomainEvent.meetingHeld)
        case .qualityEvaluated: return qualityEvaluated(&c).map(DomainEvent.qualityEvaluated)
        case .memberRegistered: return memberRegistered(&c).map(DomainEvent.memberRegistered)
        case .memberTaskAssigned: return memberTaskAssigned(&c).map(DomainEvent.memberTaskAssigned)
        case .trainingCompleted: return trainingCompleted(&c).map(DomainEvent.trainingCompleted)
        case .memberRoleAssigned: return memberRoleAssigned(&c).map(DomainEvent.memberRoleAssigned)
        case .commended: return commended(&c).map(DomainEvent.commended)
        case .memberConfirmed: return onlyMemberId(&c).map { .memberConfirmed(.init(memberId: $0)) }
        case .memberRetired: return onlyMemberId(&c).map { .memberRetired(.init(memberId: $0)) }
        case .memberTransferredToResidence:
            return transferredToResidence(&c).map(DomainEvent.memberTransferredToResidence)
        case .memberAdmitted: return memberAdmitted(&c).map(DomainEvent.memberAdmitted)
        case .memberTransferred: return memberTransferred(&c).map(DomainEvent.memberTransferred)
        case .memberRoleEnded: return memberRoleEnded(&c).map(DomainEvent.memberRoleEnded)
        case .memberRemoved: return memberRemoved(&c).map(DomainEvent.memberRemoved)
        case .inspectionFiled: return inspectionFiled(&c).map(DomainEvent.inspectionFiled)
        case .inspectionConcluded: return inspectionConcluded(&c).map(DomainEvent.inspectionConcluded)
        case .organizationRegistered:
            return organizationRegistered(&c).map(DomainEvent.organizationRegistered)
        case .eventRetracted: return eventRetracted(&c).map(DomainEvent.eventRetracted)
        default: return nil
        }
    }

    /// The general parser's bound on a document (`JSONLimits.documentBytesMax`).
    public static let dataBytesMax = 1 << 20

    /// `MeetingHeld`'s members in canonical (sorted) order: `absentees`,
    /// `attendees`, `cell`, `durationMinutes`, `kind`, `minutesRecorded`,
    /// `resolutions`?, `speakers`, `topic`?; the same checks as
    /// `MeetingHeld.init(reading:)`.
    static func meetingHeld(_ c: inout PlainDataCursor) -> MeetingHeld? {
        guard c.take(UInt8(ascii: "{")), c.key("absentees"),
              let absentees = c.list({ (c: inout PlainDataCursor) -> MeetingHeld.Absentee? in
                  guard c.take(UInt8(ascii: "{")), c.key("memberId"), let id = c.id(), c.take(UInt8(ascii: ",")),
                        c.key("reason"), let reason = c.text(lengthMax: DomainLimits.textLengthMax),
                        c.take(UInt8(ascii: "}"))
                  else { return nil }
                  return MeetingHeld.Absentee(memberId: id, reason: reason)
              }),
              c.take(UInt8(ascii: ",")), c.key("attendees"), let attendees = c.idList(nonEmpty: true),
              c.take(UInt8(ascii: ",")), c.key("cell"), let cell = c.id(),
              c.take(UInt8(ascii: ",")), c.key("durationMinutes"),
              let duration = c.int(Int64(DomainLimits.meetingMinutesMin)...Int64(DomainLimits.meetingMinutesMax)),
              c.take(UInt8(ascii: ",")), c.key("kind"), let kindName = c.id(), let kind = MeetingKind(rawValue: kindName),
              c.take(UInt8(ascii: ",")), c.key("minutesRecorded"), let minutesRecorded = c.bool(),
              c.take(UInt8(ascii: ","))
        else { return nil }
        var resolutions: [String]?
        if c.key("resolutions") {
            guard let list = c.list({ (c: inout PlainDataCursor) in c.text(lengthMax: DomainLimits.textLengthMax) }), c.take(UInt8(ascii: ","))
            else { return nil }
            resolutions = list
        }
        guard c.key("speakers"), let speakers = c.idList(nonEmpty: false) else { return nil }
        var topic: String?
        if c.take(UInt8(ascii: ",")) {
            guard c.key("topic"), let text = c.text(lengthMax: DomainLimits.textLengthMax) else { return nil }
            topic = text
        }
        guard c.take(UInt8(ascii: "}")) else { return nil }
        return MeetingHeld(
            cell: cell, kind: kind, topic: topic, durationMinutes: Int(duration), attendees: attendees,
            absentees: absentees, speakers: speakers, minutesRecorded: minutesRecorded, resolutions: resolutions)
    }

    /// `QualityEvaluated`: `rating`, `subject`, `subjectKind`, `year`.
    static func qualityEvaluated(_ c: inout PlainDataCursor) -> QualityEvaluated? {
        guard c.take(UInt8(ascii: "{")), c.key("rating"), let rating = c.id().flatMap(QualityRating.init(rawValue:)),
              c.take(UInt8(ascii: ",")), let subject = subject(&c),
              c.take(UInt8(ascii: ",")), c.key("year"),
              let year = c.int(Int64(DomainLimits.evaluationYearMin)...Int64(DomainLimits.evaluationYearMax)),
              c.take(UInt8(ascii: "}"))
        else { return nil }
        return QualityEvaluated(subject: subject, year: Int(year), rating: rating)
    }

    /// `MemberRegistered`: `birthYear`?, `cell`, `memberId`, `name`, `status`.
    static func memberRegistered(_ c: inout PlainDataCursor) -> MemberRegistered? {
        guard c.take(UInt8(ascii: "{")) else { return nil }
        var birthYear: Int64?
        if c.key("birthYear") {
            guard let year = c.int(Int64(DomainLimits.birthYearMin)...Int64(DomainLimits.birthYearMax)),
                  c.take(UInt8(ascii: ","))
            else { return nil }
            birthYear = year
        }
        guard c.key("cell"), let cell = c.id(),
              c.take(UInt8(ascii: ",")), c.key("memberId"), let memberId = c.id(),
              c.take(UInt8(ascii: ",")), c.key("name"), let name = c.text(lengthMax: DomainLimits.nameLengthMax),
              c.take(UInt8(ascii: ",")), c.key("status"), let status = c.id().flatMap(MemberStatus.init(rawValue:)),
              c.take(UInt8(ascii: "}"))
        else { return nil }
        return MemberRegistered(memberId: memberId, name: name, cell: cell, status: status, birthYear: birthYear.map { Int($0) })
    }

    /// `MemberTaskAssigned`: `assignedBy`?, `dueOn`?, `memberId`, `task`.
    static func memberTaskAssigned(_ c: inout PlainDataCursor) -> MemberTaskAssigned? {
        guard c.take(UInt8(ascii: "{")) else { return nil }
        var assignedBy: String?
        if c.key("assignedBy") {
            guard let id = c.id(), c.take(UInt8(ascii: ",")) else { return nil }
            assignedBy = id
        }
        var dueOn: BusinessDate?
        if c.key("dueOn") {
            // A date's characters are all id characters: anything else is no date.
            guard let date = c.id().flatMap(BusinessDate.init), c.take(UInt8(ascii: ",")) else { return nil }
            dueOn = date
        }
        guard c.key("memberId"), let memberId = c.id(),
              c.take(UInt8(ascii: ",")), c.key("task"), let task = c.text(lengthMax: DomainLimits.textLengthMax),
              c.take(UInt8(ascii: "}"))
        else { return nil }
        return MemberTaskAssigned(memberId: memberId, task: task, assignedBy: assignedBy, dueOn: dueOn)
    }

    /// `TrainingCompleted`: `by`, `course`, `memberId`.
    static func trainingCompleted(_ c: inout PlainDataCursor) -> TrainingCompleted? {
        guard c.take(UInt8(ascii: "{")), c.key("by"), let by = c.id(),
              c.take(UInt8(ascii: ",")), c.key("course"), let course = c.text(lengthMax: DomainLimits.nameLengthMax),
              c.take(UInt8(ascii: ",")), c.key("memberId"), let memberId = c.id(),
              c.take(UInt8(ascii: "}"))
        else { return nil }
        return TrainingCompleted(memberId: memberId, course: course, by: by)
    }

    /// `MemberRoleAssigned`: `memberId`, `organization`, `role`.
    static func memberRoleAssigned(_ c: inout PlainDataCursor) -> MemberRoleAssigned? {
        memberRole(&c).map { MemberRoleAssigned(memberId: $0.memberId, organization: $0.organization, role: $0.role) }
    }

    /// `MemberRoleEnded`: the same members.
    static func memberRoleEnded(_ c: inout PlainDataCursor) -> MemberRoleEnded? {
        memberRole(&c).map { MemberRoleEnded(memberId: $0.memberId, organization: $0.organization, role: $0.role) }
    }

    /// `{"memberId":…,"organization":…,"role":…}`.
    private static func memberRole(_ c: inout PlainDataCursor) -> (memberId: String, organization: String, role: Role)? {
        guard c.take(UInt8(ascii: "{")), c.key("memberId"), let memberId = c.id(),
              c.take(UInt8(ascii: ",")), c.key("organization"), let organization = c.id(),
              c.take(UInt8(ascii: ",")), c.key("role"), let role = c.id().flatMap(Role.init(rawValue:)),
              c.take(UInt8(ascii: "}"))
        else { return nil }
        return (memberId, organization, role)
    }

    /// `Commended`: `by`, `subject`, `subjectKind`, `title`.
    static func commended(_ c: inout PlainDataCursor) -> Commended? {
        guard c.take(UInt8(ascii: "{")), c.key("by"), let by = c.id(),
              c.take(UInt8(ascii: ",")), let subject = subject(&c),
              c.take(UInt8(ascii: ",")), c.key("title"), let title = c.text(lengthMax: DomainLimits.nameLengthMax),
              c.take(UInt8(ascii: "}"))
        else { return nil }
        return Commended(subject: subject, by: by, title: title)
    }

    /// `{"memberId":…}`: `MemberConfirmed`, `MemberRetired`.
    static func onlyMemberId(_ c: inout PlainDataCursor) -> String? {
        guard c.take(UInt8(ascii: "{")), c.key("memberId"), let memberId = c.id(), c.take(UInt8(ascii: "}"))
        else { return nil }
        return memberId
    }

    /// `"subject":…,"subjectKind":…` (`readSubject`).
    private static func subject(_ c: inout PlainDataCursor) -> Subject? {
        guard c.key("subject"), let id = c.id(), c.take(UInt8(ascii: ",")),
              c.key("subjectKind"), let kind = c.id().flatMap(SubjectKind.init(rawValue:))
        else { return nil }
        return kind == .member ? .member(id) : .organization(id)
    }

    /// `MemberTransferredToResidence`: `memberId`, `residenceOrganization`.
    static func transferredToResidence(_ c: inout PlainDataCursor) -> MemberTransferredToResidence? {
        guard c.take(UInt8(ascii: "{")), c.key("memberId"), let memberId = c.id(),
              c.take(UInt8(ascii: ",")), c.key("residenceOrganization"),
              let residence = c.text(lengthMax: DomainLimits.nameLengthMax), c.take(UInt8(ascii: "}"))
        else { return nil }
        return MemberTransferredToResidence(memberId: memberId, residenceOrganization: residence)
    }

    /// `MemberAdmitted`: `cell`, `memberId`, `name`.
    static func memberAdmitted(_ c: inout PlainDataCursor) -> MemberAdmitted? {
        guard c.take(UInt8(ascii: "{")), c.key("cell"), let cell = c.id(),
              c.take(UInt8(ascii: ",")), c.key("memberId"), let memberId = c.id(),
              c.take(UInt8(ascii: ",")), c.key("name"), let name = c.text(lengthMax: DomainLimits.nameLengthMax),
              c.take(UInt8(ascii: "}"))
        else { return nil }
        return MemberAdmitted(memberId: memberId, name: name, cell: cell)
    }

    /// `MemberTransferred`: `kind`, `memberId`, `toCell`.
    static func memberTransferred(_ c: inout PlainDataCursor) -> MemberTransferred? {
        guard c.take(UInt8(ascii: "{")), c.key("kind"), let kind = c.id().flatMap(TransferKind.init(rawValue:)),
              c.take(UInt8(ascii: ",")), c.key("memberId"), let memberId = c.id(),
              c.take(UInt8(ascii: ",")), c.key("toCell"), let toCell = c.id(), c.take(UInt8(ascii: "}"))
        else { return nil }
        return MemberTransferred(memberId: memberId, toCell: toCell, kind: kind)
    }

    /// `MemberRemoved`: `memberId`, `reason`.
    static func memberRemoved(_ c: inout PlainDataCursor) -> MemberRemoved? {
        guard c.take(UInt8(ascii: "{")), c.key("memberId"), let memberId = c.id(),
              c.take(UInt8(ascii: ",")), c.key("reason"), let reason = c.id().flatMap(RemovalReason.init(rawValue:)),
              c.take(UInt8(ascii: "}"))
        else { return nil }
        return MemberRemoved(memberId: memberId, reason: reason)
    }

    /// `InspectionConcluded`: `conclusion`, `inspectionId`, `violationsFound`.
    /// `InspectionFiled`: `by`, `findings`?, `inspectionId`, `kind`,
    /// `targetMembers`?, `targetOrganizations` (not empty), `team`? (names).
    static func inspectionFiled(_ c: inout PlainDataCursor) -> InspectionFiled? {
        let comma = UInt8(ascii: ",")
        guard c.take(UInt8(ascii: "{")), c.key("by"), let by = c.id(), c.take(comma) else { return nil }
        var findings: String?
        if c.key("findings") {
            guard let text = c.text(lengthMax: DomainLimits.textLengthMax), c.take(comma) else { return nil }
            findings = text
        }
        guard c.key("inspectionId"), let inspectionId = c.id(), c.take(comma),
              c.key("kind"), let kind = c.id().flatMap(InspectionKind.init(rawValue:)), c.take(comma)
        else { return nil }
        var targetMembers: [String]?
        if c.key("targetMembers") {
            guard let ids = c.idList(nonEmpty: false), c.take(comma) else { return nil }
            targetMembers = ids
        }
        guard c.key("targetOrganizations"), let targetOrganizations = c.idList(nonEmpty: true) else { return nil }
        var team: [String]?
        if c.take(comma) {
            guard c.key("team"), let names = c.list({ $0.text(lengthMax: DomainLimits.nameLengthMax) }) else { return nil }
            team = names
        }
        guard c.take(UInt8(ascii: "}")) else { return nil }
        return InspectionFiled(inspectionId: inspectionId, by: by, kind: kind, targetOrganizations: targetOrganizations,
                               targetMembers: targetMembers, team: team, findings: findings)
    }

    static func inspectionConcluded(_ c: inout PlainDataCursor) -> InspectionConcluded? {
        guard c.take(UInt8(ascii: "{")), c.key("conclusion"), let conclusion = c.text(lengthMax: DomainLimits.textLengthMax),
              c.take(UInt8(ascii: ",")), c.key("inspectionId"), let inspectionId = c.id(),
              c.take(UInt8(ascii: ",")), c.key("violationsFound"), let violationsFound = c.bool(),
              c.take(UInt8(ascii: "}"))
        else { return nil }
        return InspectionConcluded(inspectionId: inspectionId, conclusion: conclusion, violationsFound: violationsFound)
    }

    /// `OrganizationRegistered`: `code`, `kind`, `name`, `parent`?; a bloc has
    /// no parent and anything else has one (else the general way names the error).
    static func organizationRegistered(_ c: inout PlainDataCursor) -> OrganizationRegistered? {
        guard c.take(UInt8(ascii: "{")), c.key("code"), let code = c.id(),
              c.take(UInt8(ascii: ",")), c.key("kind"), let kind = c.id().flatMap(OrganizationKind.init(rawValue:)),
              c.take(UInt8(ascii: ",")), c.key("name"), let name = c.text(lengthMax: DomainLimits.nameLengthMax)
        else { return nil }
        var parent: String?
        if c.take(UInt8(ascii: ",")) {
            guard c.key("parent"), let id = c.id() else { return nil }
            parent = id
        }
        guard c.take(UInt8(ascii: "}")), (kind == .bloc) == (parent == nil) else { return nil }
        return OrganizationRegistered(code: code, name: name, kind: kind, parent: parent)
    }

    /// `EventRetracted`: `reason`, `seq`.
    static func eventRetracted(_ c: inout PlainDataCursor) -> EventRetracted? {
        guard c.take(UInt8(ascii: "{")), c.key("reason"), let reason = c.text(lengthMax: DomainLimits.textLengthMax),
              c.take(UInt8(ascii: ",")), c.key("seq"), let seq = c.int(1...DomainLimits.integerMax),
              c.take(UInt8(ascii: "}"))
        else { return nil }
        return EventRetracted(seq: UInt64(seq), reason: reason)
    }
}
