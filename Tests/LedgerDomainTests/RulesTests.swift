import LedgerDomain
import LedgerJSON
import Testing

/// One event submitted to `TestLedger.world()` after `setup`: accepted (`code == nil`) or refused with `code`.
struct RuleCase: CustomTestStringConvertible, Sendable {
    typealias Step = (type: String, date: String, data: JSONValue)
    let name: String
    var setup: [Step] = []
    let type: String
    var date = "2013-05-01"
    let data: JSONValue
    let code: DomainError.Code?
    var testDescription: String { name }

    init(_ name: String, setup: [Step] = [], _ type: String, on date: String = "2013-05-01", _ data: JSONValue, _ code: DomainError.Code?) {
        self.name = name
        self.setup = setup
        self.type = type
        self.date = date
        self.data = data
        self.code = code
    }

    func run() {
        var l = TestLedger.world()
        for s in setup { l.ok(s.type, s.date, s.data) }
        if let code { l.refuses(code, type, date, data) } else { l.ok(type, date, data) }
    }
}

@Suite("Rules: organizations and members")
struct OrganizationAndMemberRuleTests {
    static let dissolveX: RuleCase.Step = ("OrganizationDissolved", "2012-01-01", ["code": "X", "reason": "sáp nhập"])
    static let dissolveC1: RuleCase.Step = ("OrganizationDissolved", "2012-01-01", ["code": "C1", "reason": "sáp nhập"])
    static let removeM1: RuleCase.Step = ("MemberRemoved", "2012-01-01", ["memberId": "m1", "reason": "deceased"])

    static let cases: [RuleCase] = [
        // Organizations
        RuleCase("cell under a committee", "OrganizationRegistered", ["code": "N", "name": "N", "kind": "cell", "parent": "C1"], nil),
        RuleCase("cell under a bloc", "OrganizationRegistered", ["code": "N", "name": "N", "kind": "cell", "parent": "B"], nil),
        RuleCase("committee under a committee", "OrganizationRegistered", ["code": "N", "name": "N", "kind": "committee", "parent": "C1"], nil),
        RuleCase("second bloc", "OrganizationRegistered", ["code": "B2", "name": "B2", "kind": "bloc"], nil),
        RuleCase("duplicate code", "OrganizationRegistered", ["code": "X", "name": "N", "kind": "cell", "parent": "C1"], .organizationExists),
        RuleCase("unknown parent", "OrganizationRegistered", ["code": "N", "name": "N", "kind": "cell", "parent": "Q"], .parentNotFound),
        RuleCase("cell under a cell", "OrganizationRegistered", ["code": "N", "name": "N", "kind": "cell", "parent": "X"], .hierarchyViolation),
        RuleCase("committee under a cell", "OrganizationRegistered", ["code": "N", "name": "N", "kind": "committee", "parent": "X"], .hierarchyViolation),
        RuleCase("child of a dissolved parent", setup: [dissolveC1], "OrganizationRegistered", ["code": "N", "name": "N", "kind": "cell", "parent": "C1"], .organizationDissolved),
        RuleCase("child dated before its parent", "OrganizationRegistered", on: "2009-12-31", ["code": "N", "name": "N", "kind": "cell", "parent": "C1"], .datedBeforeCreation),
        RuleCase("dissolve", "OrganizationDissolved", ["code": "X", "reason": "r"], nil),
        RuleCase("dissolve twice", setup: [dissolveX], "OrganizationDissolved", ["code": "X", "reason": "r"], .organizationDissolved),
        RuleCase("dissolution reaches the subtree", setup: [dissolveC1], "OrganizationDissolved", ["code": "Y", "reason": "r"], .organizationDissolved),
        RuleCase("dissolve dated before a child's registration", setup: [("OrganizationRegistered", "2013-06-01", ["code": "N", "name": "N", "kind": "cell", "parent": "C1"])], "OrganizationDissolved", ["code": "C1", "reason": "r"], .datedOutOfOrder),
        RuleCase("dissolve unknown", "OrganizationDissolved", ["code": "Q", "reason": "r"], .organizationNotFound),
        // Members
        RuleCase("register", "MemberRegistered", ["memberId": "n", "name": "N", "cell": "X", "status": "probationary"], nil),
        RuleCase("admit", "MemberAdmitted", ["memberId": "n", "name": "N", "cell": "Z"], nil),
        RuleCase("register twice", "MemberRegistered", ["memberId": "m1", "name": "N", "cell": "X", "status": "official"], .memberExists),
        RuleCase("admit twice", "MemberAdmitted", ["memberId": "p1", "name": "N", "cell": "X"], .memberExists),
        RuleCase("register in a committee", "MemberRegistered", ["memberId": "n", "name": "N", "cell": "C1", "status": "official"], .notACell),
        RuleCase("register in unknown cell", "MemberAdmitted", ["memberId": "n", "name": "N", "cell": "Q"], .organizationNotFound),
        RuleCase("register in a dissolved cell", setup: [dissolveX], "MemberAdmitted", ["memberId": "n", "name": "N", "cell": "X"], .organizationDissolved),
        RuleCase("register before the cell existed", "MemberAdmitted", on: "2009-01-01", ["memberId": "n", "name": "N", "cell": "X"], .datedBeforeCreation),
        RuleCase("confirm probationary", "MemberConfirmed", ["memberId": "p1"], nil),
        RuleCase("confirm official", "MemberConfirmed", ["memberId": "m1"], .notProbationary),
        RuleCase("confirm unknown", "MemberConfirmed", ["memberId": "zz"], .memberNotFound),
        RuleCase("confirm before admission", "MemberConfirmed", on: "2010-01-02", ["memberId": "p1"], .datedBeforeCreation),
        RuleCase("confirm departed", setup: [("MemberRemoved", "2012-01-01", ["memberId": "p1", "reason": "left"])], "MemberConfirmed", ["memberId": "p1"], .memberNotActive),
        RuleCase("transfer", "MemberTransferred", ["memberId": "m1", "toCell": "Y", "kind": "official"], nil),
        RuleCase("transfer temporary to a bloc's cell", "MemberTransferred", ["memberId": "m1", "toCell": "Z", "kind": "temporary"], nil),
        RuleCase("transfer to own cell", "MemberTransferred", ["memberId": "m1", "toCell": "X", "kind": "official"], .sameCell),
        RuleCase("transfer to a committee", "MemberTransferred", ["memberId": "m1", "toCell": "C1", "kind": "official"], .notACell),
        RuleCase("transfer to a dissolved cell", setup: [("OrganizationDissolved", "2012-01-01", ["code": "Y", "reason": "r"])], "MemberTransferred", ["memberId": "m1", "toCell": "Y", "kind": "official"], .organizationDissolved),
        RuleCase("transfer a departed member", setup: [removeM1], "MemberTransferred", ["memberId": "m1", "toCell": "Y", "kind": "official"], .memberNotActive),
        RuleCase("transfer dated before the last change", setup: [("MemberTransferred", "2013-06-01", ["memberId": "m1", "toCell": "Y", "kind": "official"])], "MemberTransferred", ["memberId": "m1", "toCell": "Z", "kind": "official"], .datedOutOfOrder),
        RuleCase("role in own cell", "MemberRoleAssigned", ["memberId": "m1", "organization": "X", "role": "secretary"], nil),
        RuleCase("role in the committee above", "MemberRoleAssigned", ["memberId": "m1", "organization": "C1", "role": "committee-member"], nil),
        RuleCase("role in the bloc above", "MemberRoleAssigned", ["memberId": "m1", "organization": "B", "role": "deputy-secretary"], nil),
        RuleCase("role in another cell", "MemberRoleAssigned", ["memberId": "m1", "organization": "Y", "role": "secretary"], .roleOrganizationNotAllowed),
        RuleCase("role held twice", setup: [("MemberRoleAssigned", "2012-01-01", ["memberId": "m1", "organization": "X", "role": "secretary"])], "MemberRoleAssigned", ["memberId": "m1", "organization": "X", "role": "secretary"], .roleAlreadyHeld),
        RuleCase("role in unknown org", "MemberRoleAssigned", ["memberId": "m1", "organization": "Q", "role": "secretary"], .organizationNotFound),
        RuleCase("end held role", setup: [("MemberRoleAssigned", "2012-01-01", ["memberId": "m1", "organization": "X", "role": "secretary"])], "MemberRoleEnded", ["memberId": "m1", "organization": "X", "role": "secretary"], nil),
        RuleCase("end role not held", "MemberRoleEnded", ["memberId": "m1", "organization": "X", "role": "secretary"], .roleNotHeld),
        RuleCase("transfer ends the old cell's roles", setup: [("MemberRoleAssigned", "2012-01-01", ["memberId": "m1", "organization": "X", "role": "secretary"]), ("MemberTransferred", "2012-02-01", ["memberId": "m1", "toCell": "Y", "kind": "official"])], "MemberRoleEnded", ["memberId": "m1", "organization": "X", "role": "secretary"], .roleNotHeld),
        RuleCase("transfer keeps roles above the new cell", setup: [("MemberRoleAssigned", "2012-01-01", ["memberId": "m1", "organization": "C1", "role": "secretary"]), ("MemberTransferred", "2012-02-01", ["memberId": "m1", "toCell": "Y", "kind": "official"])], "MemberRoleEnded", ["memberId": "m1", "organization": "C1", "role": "secretary"], nil),
        RuleCase("task", "MemberTaskAssigned", ["memberId": "m1", "task": "Theo dõi đoàn viên", "assignedBy": "X", "dueOn": "2013-12-31"], nil),
        RuleCase("task due before assignment", "MemberTaskAssigned", ["memberId": "m1", "task": "t", "dueOn": "2013-04-30"], .dueBeforeAssignment),
        RuleCase("task by unknown org", "MemberTaskAssigned", ["memberId": "m1", "task": "t", "assignedBy": "Q"], .organizationNotFound),
        RuleCase("task for a departed member", setup: [removeM1], "MemberTaskAssigned", ["memberId": "m1", "task": "t"], .memberNotActive),
        RuleCase("task may be dated before the last change", setup: [("MemberTransferred", "2013-06-01", ["memberId": "m1", "toCell": "Y", "kind": "official"])], "MemberTaskAssigned", ["memberId": "m1", "task": "t"], nil),
        RuleCase("retire", "MemberRetired", ["memberId": "m1"], nil),
        RuleCase("retire twice", setup: [("MemberRetired", "2012-01-01", ["memberId": "m1"])], "MemberRetired", ["memberId": "m1"], .alreadyRetired),
        RuleCase("retired member still attends", setup: [("MemberRetired", "2012-01-01", ["memberId": "m1"])], "MeetingHeld", TestLedger.meeting(), nil),
        RuleCase("to residence", "MemberTransferredToResidence", ["memberId": "m1", "residenceOrganization": "Chi bộ khu phố 3, phường Bến Nghé"], nil),
        RuleCase("to residence twice", setup: [("MemberTransferredToResidence", "2012-01-01", ["memberId": "m1", "residenceOrganization": "KP3"])], "MemberTransferredToResidence", ["memberId": "m1", "residenceOrganization": "KP3"], .memberNotActive),
        RuleCase("remove", "MemberRemoved", ["memberId": "m1", "reason": "struck-off"], nil),
        RuleCase("remove twice", setup: [removeM1], "MemberRemoved", ["memberId": "m1", "reason": "left"], .memberNotActive),
        RuleCase("training", "TrainingCompleted", ["memberId": "m1", "course": "Bồi dưỡng lý luận chính trị", "by": "C1"], nil),
        RuleCase("training by dissolved org", setup: [dissolveC1], "TrainingCompleted", ["memberId": "m5", "course": "c", "by": "C1"], .organizationDissolved),
        RuleCase("training for a departed member", setup: [removeM1], "TrainingCompleted", ["memberId": "m1", "course": "c", "by": "C1"], .memberNotActive),
    ]

    @Test(arguments: cases) func rule(_ c: RuleCase) { c.run() }
}

@Suite("Rules: meetings, inspections, discipline, recognition")
struct ActivityRuleTests {
    static let expelM1: RuleCase.Step = ("DisciplineImposed", "2012-01-01", ["disciplineId": "d1", "subjectKind": "member", "subject": "m1", "form": "expulsion", "decidedBy": "C1", "reason": "vi phạm"])
    static let fileI1: RuleCase.Step = ("InspectionFiled", "2012-01-01", ["inspectionId": "i1", "by": "C1", "kind": "inspection", "targetOrganizations": ["X"]])

    static let cases: [RuleCase] = [
        // Meetings
        RuleCase("meeting", "MeetingHeld", TestLedger.meeting(absentees: ["m4"]), nil),
        RuleCase("meeting of unknown cell", "MeetingHeld", TestLedger.meeting(cell: "Q"), .organizationNotFound),
        RuleCase("meeting of a committee", "MeetingHeld", TestLedger.meeting(cell: "C1"), .notACell),
        RuleCase("meeting of a dissolved cell", setup: [("OrganizationDissolved", "2012-01-01", ["code": "X", "reason": "r"])], "MeetingHeld", TestLedger.meeting(), .organizationDissolved),
        RuleCase("attendee of another cell", "MeetingHeld", TestLedger.meeting(attendees: ["m1", "m5"]), .participantNotInCell),
        RuleCase("absentee of another cell", "MeetingHeld", TestLedger.meeting(absentees: ["m5"]), .participantNotInCell),
        RuleCase("unknown attendee", "MeetingHeld", TestLedger.meeting(attendees: ["m1", "zz"]), .memberNotFound),
        RuleCase("attendee registered after the meeting", "MeetingHeld", on: "2010-01-02", TestLedger.meeting(attendees: ["m1", "p1"]), .datedBeforeCreation),
        RuleCase("attendee who left before", setup: [("MemberRemoved", "2013-01-01", ["memberId": "m3", "reason": "deceased"])], "MeetingHeld", TestLedger.meeting(), .participantNotInCell),
        RuleCase("attendee who left after (late import)", setup: [("MemberRemoved", "2014-01-01", ["memberId": "m3", "reason": "deceased"])], "MeetingHeld", TestLedger.meeting(), nil),
        RuleCase("attendee transferred in later (late import)", setup: [("MemberTransferred", "2014-01-01", ["memberId": "m5", "toCell": "X", "kind": "official"])], "MeetingHeld", TestLedger.meeting(attendees: ["m1", "m5"], speakers: []), .participantNotInCell),
        RuleCase("attendee transferred away later (late import)", setup: [("MemberTransferred", "2014-01-01", ["memberId": "m3", "toCell": "Y", "kind": "official"])], "MeetingHeld", TestLedger.meeting(), nil),
        RuleCase("attends and absent", "MeetingHeld", TestLedger.meeting(absentees: ["m1"]), .attendeeAlsoAbsent),
        RuleCase("absent twice", "MeetingHeld", TestLedger.meeting(absentees: ["m4", "m4"]), .duplicateParticipant),
        RuleCase("speaker not attending", "MeetingHeld", TestLedger.meeting(absentees: ["m4"], speakers: ["m4"]), .speakerNotAttending),
        // Inspections
        RuleCase("inspection", "InspectionFiled", ["inspectionId": "i9", "by": "C1", "kind": "supervision", "targetOrganizations": ["X", "Y"], "targetMembers": ["m1"], "team": ["Nguyễn A", "Trần B"], "findings": "f"], nil),
        RuleCase("inspection id reused", setup: [fileI1], "InspectionFiled", ["inspectionId": "i1", "by": "C1", "kind": "inspection", "targetOrganizations": ["X"]], .inspectionExists),
        RuleCase("inspection by unknown", "InspectionFiled", ["inspectionId": "i9", "by": "Q", "kind": "inspection", "targetOrganizations": ["X"]], .organizationNotFound),
        RuleCase("inspection of unknown target", "InspectionFiled", ["inspectionId": "i9", "by": "C1", "kind": "inspection", "targetOrganizations": ["X", "Q"]], .organizationNotFound),
        RuleCase("inspection of unknown member", "InspectionFiled", ["inspectionId": "i9", "by": "C1", "kind": "violation-inspection", "targetOrganizations": ["X"], "targetMembers": ["zz"]], .memberNotFound),
        RuleCase("conclude", setup: [fileI1], "InspectionConcluded", ["inspectionId": "i1", "conclusion": "tốt", "violationsFound": false], nil),
        RuleCase("conclude unknown", "InspectionConcluded", ["inspectionId": "i1", "conclusion": "c", "violationsFound": false], .inspectionNotFound),
        RuleCase("conclude twice", setup: [fileI1, ("InspectionConcluded", "2012-02-01", ["inspectionId": "i1", "conclusion": "c", "violationsFound": true])], "InspectionConcluded", ["inspectionId": "i1", "conclusion": "c", "violationsFound": false], .inspectionAlreadyConcluded),
        RuleCase("conclude before filing", setup: [fileI1], "InspectionConcluded", on: "2011-12-31", ["inspectionId": "i1", "conclusion": "c", "violationsFound": false], .datedBeforeCreation),
        // Discipline
        RuleCase("reprimand by the cell", "DisciplineImposed", ["disciplineId": "d9", "subjectKind": "member", "subject": "m1", "form": "reprimand", "decidedBy": "X", "reason": "r"], nil),
        RuleCase("expulsion by the bloc, after an inspection", setup: [fileI1], "DisciplineImposed", ["disciplineId": "d9", "subjectKind": "member", "subject": "m1", "form": "expulsion", "decidedBy": "B", "reason": "r", "inspectionId": "i1"], nil),
        RuleCase("discipline id reused", setup: [expelM1], "DisciplineImposed", ["disciplineId": "d1", "subjectKind": "member", "subject": "m2", "form": "warning", "decidedBy": "X", "reason": "r"], .disciplineExists),
        RuleCase("probationary dismissed", "DisciplineImposed", ["disciplineId": "d9", "subjectKind": "member", "subject": "p1", "form": "dismissal", "decidedBy": "X", "reason": "r"], .formNotAllowedForProbationary),
        RuleCase("probationary warned", "DisciplineImposed", ["disciplineId": "d9", "subjectKind": "member", "subject": "p1", "form": "warning", "decidedBy": "X", "reason": "r"], nil),
        RuleCase("decided by another cell", "DisciplineImposed", ["disciplineId": "d9", "subjectKind": "member", "subject": "m1", "form": "warning", "decidedBy": "Y", "reason": "r"], .deciderNotAboveSubject),
        RuleCase("organization disciplines itself", "DisciplineImposed", ["disciplineId": "d9", "subjectKind": "organization", "subject": "X", "form": "warning", "decidedBy": "X", "reason": "r"], .deciderNotAboveSubject),
        RuleCase("cell warned by its committee", "DisciplineImposed", ["disciplineId": "d9", "subjectKind": "organization", "subject": "X", "form": "warning", "decidedBy": "C1", "reason": "r"], nil),
        RuleCase("discipline dated before the member's transfer", setup: [("MemberTransferred", "2013-06-01", ["memberId": "m1", "toCell": "Y", "kind": "official"])], "DisciplineImposed", ["disciplineId": "d9", "subjectKind": "member", "subject": "m1", "form": "warning", "decidedBy": "C1", "reason": "r"], .datedOutOfOrder),
        RuleCase("dissolution discipline dated before a child's registration", setup: [("OrganizationRegistered", "2013-06-01", ["code": "N", "name": "N", "kind": "cell", "parent": "C1"])], "DisciplineImposed", ["disciplineId": "d9", "subjectKind": "organization", "subject": "C1", "form": "dissolution", "decidedBy": "B", "reason": "r"], .datedOutOfOrder),
        RuleCase("discipline of departed member", setup: [expelM1], "DisciplineImposed", ["disciplineId": "d9", "subjectKind": "member", "subject": "m1", "form": "warning", "decidedBy": "X", "reason": "r"], .memberNotActive),
        RuleCase("expelled member gets no member events", setup: [expelM1], "MemberTaskAssigned", ["memberId": "m1", "task": "t"], .memberNotActive),
        RuleCase("discipline citing unknown inspection", "DisciplineImposed", ["disciplineId": "d9", "subjectKind": "member", "subject": "m1", "form": "warning", "decidedBy": "X", "reason": "r", "inspectionId": "i7"], .inspectionNotFound),
        RuleCase("dissolution dissolves the subtree", setup: [("DisciplineImposed", "2012-01-01", ["disciplineId": "d1", "subjectKind": "organization", "subject": "C1", "form": "dissolution", "decidedBy": "B", "reason": "r"])], "MeetingHeld", TestLedger.meeting(), .organizationDissolved),
        RuleCase("appeal", setup: [expelM1], "DisciplineAppealed", ["disciplineId": "d1", "grounds": "g"], nil),
        RuleCase("appeal unknown", "DisciplineAppealed", ["disciplineId": "d1", "grounds": "g"], .disciplineNotFound),
        RuleCase("appeal an annulled one", setup: [expelM1, ("DisciplineRevised", "2012-02-01", ["disciplineId": "d1", "outcome": "annulled"])], "DisciplineAppealed", ["disciplineId": "d1", "grounds": "g"], .disciplineNotInForce),
        RuleCase("revision dated before the appeal", setup: [expelM1, ("DisciplineAppealed", "2013-06-01", ["disciplineId": "d1", "grounds": "g"])], "DisciplineRevised", ["disciplineId": "d1", "outcome": "upheld"], .datedOutOfOrder),
        RuleCase("reduce", setup: [expelM1], "DisciplineRevised", ["disciplineId": "d1", "outcome": "reduced", "newForm": "warning"], nil),
        RuleCase("reduce to a heavier form", setup: [("DisciplineImposed", "2012-01-01", ["disciplineId": "d1", "subjectKind": "member", "subject": "m1", "form": "warning", "decidedBy": "X", "reason": "r"])], "DisciplineRevised", ["disciplineId": "d1", "outcome": "reduced", "newForm": "dismissal"], .revisionNotAReduction),
        RuleCase("reduce to the same form", setup: [expelM1], "DisciplineRevised", ["disciplineId": "d1", "outcome": "reduced", "newForm": "expulsion"], .revisionNotAReduction),
        RuleCase("reduce a member's to dissolution", setup: [expelM1], "DisciplineRevised", ["disciplineId": "d1", "outcome": "reduced", "newForm": "dissolution"], .formNotAllowedForSubject),
        RuleCase("annulled expulsion reinstates", setup: [expelM1, ("DisciplineRevised", "2012-02-01", ["disciplineId": "d1", "outcome": "annulled"])], "MemberTaskAssigned", ["memberId": "m1", "task": "t"], nil),
        RuleCase("upheld expulsion does not reinstate", setup: [expelM1, ("DisciplineRevised", "2012-02-01", ["disciplineId": "d1", "outcome": "upheld"])], "MemberTaskAssigned", ["memberId": "m1", "task": "t"], .memberNotActive),
        RuleCase("annulled dissolution reinstates the subtree", setup: [("DisciplineImposed", "2012-01-01", ["disciplineId": "d1", "subjectKind": "organization", "subject": "C1", "form": "dissolution", "decidedBy": "B", "reason": "r"]), ("DisciplineRevised", "2012-02-01", ["disciplineId": "d1", "outcome": "annulled"])], "MeetingHeld", TestLedger.meeting(), nil),
        // Recognition
        RuleCase("rating", "QualityEvaluated", ["subjectKind": "member", "subject": "m1", "year": 2012, "rating": "excellent"], nil),
        RuleCase("rating of an org", "QualityEvaluated", ["subjectKind": "organization", "subject": "X", "year": 2013, "rating": "good"], nil),
        RuleCase("rating twice a year", setup: [("QualityEvaluated", "2013-01-10", ["subjectKind": "member", "subject": "m1", "year": 2012, "rating": "good"])], "QualityEvaluated", ["subjectKind": "member", "subject": "m1", "year": 2012, "rating": "excellent"], .qualityAlreadyEvaluated),
        RuleCase("rating of a future year", "QualityEvaluated", ["subjectKind": "member", "subject": "m1", "year": 2014, "rating": "good"], .qualityYearInFuture),
        RuleCase("rating of unknown org", "QualityEvaluated", ["subjectKind": "organization", "subject": "Q", "year": 2012, "rating": "good"], .organizationNotFound),
        RuleCase("commendation", "Commended", ["subjectKind": "organization", "subject": "X", "by": "B", "title": "Chi bộ trong sạch vững mạnh"], nil),
        RuleCase("commendation of departed member", setup: [expelM1], "Commended", ["subjectKind": "member", "subject": "m1", "by": "B", "title": "T"], .memberNotActive),
        RuleCase("commendation by unknown", "Commended", ["subjectKind": "member", "subject": "m1", "by": "Q", "title": "T"], .organizationNotFound),
    ]

    @Test(arguments: cases) func rule(_ c: RuleCase) { c.run() }
}
