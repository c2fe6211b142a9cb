import LedgerDomain
import LedgerJSON
import Testing

@Suite("Retraction: dependents, undo by re-folding")
struct RetractionTests {
    func retract(_ l: inout TestLedger, _ seq: UInt64, sourceLocation: SourceLocation = #_sourceLocation) {
        l.ok("EventRetracted", "2014-01-01", ["seq": .int(Int64(seq)), "reason": "nhập nhầm"], sourceLocation: sourceLocation)
    }

    func refusesRetraction(_ l: inout TestLedger, _ seq: UInt64, _ code: DomainError.Code, naming dependent: UInt64? = nil,
                           sourceLocation: SourceLocation = #_sourceLocation) {
        let before = l.state
        do {
            try l.submit("EventRetracted", "2014-01-01", ["seq": .int(Int64(seq)), "reason": "x"])
            Issue.record("retraction of \(seq) accepted", sourceLocation: sourceLocation)
        } catch {
            #expect(error.code == code, "\(error)", sourceLocation: sourceLocation)
            if let dependent { #expect(error.message.contains("depends on it: \(dependent);"), "\(error)", sourceLocation: sourceLocation) }
            #expect(l.state == before, sourceLocation: sourceLocation)
        }
    }

    @Test func targetMustExistAndNotBeARetraction() {
        var l = TestLedger.world()
        refusesRetraction(&l, 999, .retractionTargetNotFound)
        let task = l.ok("MemberTaskAssigned", "2013-01-01", ["memberId": "m1", "task": "t"])
        retract(&l, task)
        refusesRetraction(&l, task, .alreadyRetracted)
        refusesRetraction(&l, task + 1, .retractionOfRetraction)
        #expect(l.state.isRetracted(task))
        #expect(l.state.members["m1"]!.tasks.isEmpty)
    }

    @Test func registrationWithLaterMeetingIsRefusedNamingTheMeeting() {
        var l = TestLedger.world()
        let reg = l.ok("MemberRegistered", "2012-01-01", ["memberId": "n", "name": "N", "cell": "X", "status": "official"])
        let meeting = l.ok("MeetingHeld", "2012-02-01", TestLedger.meeting(attendees: ["m1", "n"]))
        l.ok("MeetingHeld", "2012-03-01", TestLedger.meeting(attendees: ["m1", "m2"]))
        refusesRetraction(&l, reg, .retractionHasDependents, naming: meeting)
        // Retract the meeting (a leaf), then the registration goes.
        retract(&l, meeting)
        retract(&l, reg)
        #expect(l.state.members["n"] == nil)
        #expect(l.state.membersByCell["X"]?.contains("n") == false)
        // The id is free again.
        l.ok("MemberAdmitted", "2014-01-02", ["memberId": "n", "name": "N2", "cell": "Y"])
    }

    @Test func latestReferenceRetractedFallsBackToScanning() {
        var l = TestLedger.world()
        let reg = l.ok("MemberRegistered", "2012-01-01", ["memberId": "n", "name": "N", "cell": "X", "status": "official"])
        let first = l.ok("MemberTaskAssigned", "2012-02-01", ["memberId": "n", "task": "a"])
        l.ok("MeetingHeld", "2012-02-02", TestLedger.meeting(attendees: ["m1"]))
        let last = l.ok("MemberTaskAssigned", "2012-03-01", ["memberId": "n", "task": "b"])
        retract(&l, last)
        refusesRetraction(&l, reg, .retractionHasDependents, naming: first)
    }

    @Test func statusChangeDependsOnLaterEventsOfTheStream() {
        var l = TestLedger.world()
        let transfer = l.ok("MemberTransferred", "2012-01-01", ["memberId": "m1", "toCell": "Y", "kind": "official"])
        let role = l.ok("MemberRoleAssigned", "2012-02-01", ["memberId": "m1", "organization": "Y", "role": "secretary"])
        refusesRetraction(&l, transfer, .retractionHasDependents, naming: role)
        retract(&l, role)
        #expect(l.state.members["m1"]!.roles.isEmpty)
        retract(&l, transfer)
        #expect(l.state.members["m1"]!.cell == "X")
        #expect(l.state.membersByCell["X"]!.contains("m1"))
        #expect(l.state.membersByCell["Y"] == ["m5"])
    }

    @Test func retractingAnExpulsionRestoresTheMember() {
        var l = TestLedger.world()
        let d = l.ok("DisciplineImposed", "2012-01-01", ["disciplineId": "d1", "subjectKind": "member", "subject": "m1", "form": "expulsion", "decidedBy": "X", "reason": "r"])
        #expect(l.state.members["m1"]!.departure == .expelled(disciplineId: "d1"))
        let appeal = l.ok("DisciplineAppealed", "2012-02-01", ["disciplineId": "d1", "grounds": "g"])
        refusesRetraction(&l, d, .retractionHasDependents, naming: appeal)
        retract(&l, appeal)
        retract(&l, d)
        #expect(l.state.members["m1"]!.isActive)
        #expect(l.state.disciplines["d1"] == nil)
        #expect(l.state.members["m1"]!.disciplineIds.isEmpty)
    }

    @Test func annulmentReinstatesAndItsRetractionExpelsAgain() {
        var l = TestLedger.world()
        l.ok("MemberRoleAssigned", "2011-06-01", ["memberId": "m1", "organization": "X", "role": "secretary"])
        l.ok("DisciplineImposed", "2012-01-01", ["disciplineId": "d1", "subjectKind": "member", "subject": "m1", "form": "expulsion", "decidedBy": "X", "reason": "r"])
        #expect(l.state.members["m1"]!.roles.isEmpty)
        let annul = l.ok("DisciplineRevised", "2012-03-01", ["disciplineId": "d1", "outcome": "annulled"])
        let m1 = l.state.members["m1"]!
        #expect(m1.isActive && m1.cell == "X" && m1.status == .official && m1.roles.isEmpty)
        #expect(l.state.disciplines["d1"]!.inForce == false)
        // Standing on a date between expulsion and annulment: expelled.
        #expect(m1.standing(on: date("2012-02-01"))!.isActive == false)
        #expect(m1.standing(on: date("2012-03-01"))!.isActive)
        let meeting = l.ok("MeetingHeld", "2012-04-01", TestLedger.meeting(attendees: ["m1", "m2"]))
        refusesRetraction(&l, annul, .retractionHasDependents, naming: meeting)
        retract(&l, meeting)
        retract(&l, annul)
        #expect(l.state.members["m1"]!.departure == .expelled(disciplineId: "d1"))
    }

    @Test func dissolutionRetractionRestoresTheSubtree() {
        var l = TestLedger.world()
        let s = l.ok("OrganizationDissolved", "2012-01-01", ["code": "C1", "reason": "sáp nhập"])
        #expect(["C1", "X", "Y"].allSatisfy { l.state.organizations[$0]!.isDissolved })
        #expect(l.state.organizations["X"]!.dissolution?.cause == .ancestor(code: "C1"))
        #expect(!l.state.organizations["B"]!.isDissolved)
        retract(&l, s)
        #expect(["C1", "X", "Y"].allSatisfy { !l.state.organizations[$0]!.isDissolved })
        #expect(l.state.organizations["X"]!.standing(on: date("2012-06-01"))!.isDissolved == false)
    }

    @Test func organizationRegistrationDependsOnChildrenAndMembers() {
        var l = TestLedger.world()
        let reg = l.ok("OrganizationRegistered", "2012-01-01", ["code": "N", "name": "N", "kind": "cell", "parent": "B"])
        let member = l.ok("MemberAdmitted", "2012-01-02", ["memberId": "n", "name": "N", "cell": "N"])
        refusesRetraction(&l, reg, .retractionHasDependents, naming: member)
        retract(&l, member)
        retract(&l, reg)
        #expect(l.state.organizations["N"] == nil)
        #expect(l.state.childrenByParent["B"] == ["C1", "Z"])
    }

    @Test func leafRetractionsUndoExactly() {
        var l = TestLedger.world()
        let base = l.state
        let seqs = [
            l.ok("MeetingHeld", "2012-02-01", TestLedger.meeting(kind: "thematic")),
            l.ok("QualityEvaluated", "2013-01-05", ["subjectKind": "organization", "subject": "X", "year": 2012, "rating": "good"]),
            l.ok("Commended", "2013-01-05", ["subjectKind": "member", "subject": "m2", "by": "B", "title": "T"]),
            l.ok("TrainingCompleted", "2013-01-05", ["memberId": "m3", "course": "c", "by": "C1"]),
            l.ok("InspectionFiled", "2013-01-06", ["inspectionId": "i1", "by": "C1", "kind": "inspection", "targetOrganizations": ["X"]]),
        ]
        let concluded = l.ok("InspectionConcluded", "2013-01-07", ["inspectionId": "i1", "conclusion": "c", "violationsFound": false])
        retract(&l, concluded)
        #expect(l.state.inspections["i1"]!.conclusion == nil)
        for s in seqs.reversed() { retract(&l, s) }
        // Everything but the retraction bookkeeping is as before (a tracker's `latest`
        // is only an upper bound, so it is not compared).
        for (code, org) in base.organizations {
            let now = l.state.organizations[code]!
            #expect(now.timeline == org.timeline && now.references.count == org.references.count && now.meetingQuarters == org.meetingQuarters)
        }
        for (id, m) in base.members {
            let now = l.state.members[id]!
            #expect(now.timeline == m.timeline && now.references.count == m.references.count)
        }
        #expect(l.state.inspections.isEmpty)
        let expected = l.state
        #expect(expected.retracted.count == seqs.count + 1)
    }
}

@Suite("Advisory warnings keyed by date")
struct WarningTests {
    func warnings(_ l: inout TestLedger, _ date: String, _ data: JSONValue) -> [String] {
        let seq = l.ok("MeetingHeld", date, data)
        return (l.warningsBySeq[seq] ?? []).map(\.code)
    }

    @Test func shortMeetingOnlyFromTheGuidelineDate() {
        var l = TestLedger.world()
        #expect(!warnings(&l, "2025-10-27", TestLedger.meeting(kind: "thematic", minutes: 60)).contains("meeting-too-short"))
        #expect(warnings(&l, "2025-10-28", TestLedger.meeting(kind: "thematic", minutes: 89)).contains("meeting-too-short"))
        #expect(!warnings(&l, "2025-10-29", TestLedger.meeting(kind: "thematic", minutes: 90)).contains("meeting-too-short"))
    }

    @Test func tooFewOfficialMembers() {
        var l = TestLedger.world()
        #expect(!warnings(&l, "2012-01-10", TestLedger.meeting(kind: "thematic")).contains("cell-too-few-official-members"))
        // Y has one official member.
        #expect(warnings(&l, "2012-01-10", TestLedger.meeting(cell: "Y", kind: "thematic", attendees: ["m5"], speakers: [])).contains("cell-too-few-official-members"))
        // X loses two officials: 2 left (m3, m4) + probationary p1.
        l.ok("MemberRemoved", "2012-02-01", ["memberId": "m1", "reason": "left"])
        l.ok("MemberTransferred", "2012-02-01", ["memberId": "m2", "toCell": "Y", "kind": "official"])
        #expect(warnings(&l, "2012-02-10", TestLedger.meeting(attendees: ["m3", "p1"], speakers: [])).contains("cell-too-few-official-members"))
        // A late-imported meeting from before they left counts them.
        #expect(!warnings(&l, "2012-01-20", TestLedger.meeting(attendees: ["m1", "m2"], speakers: [])).contains("cell-too-few-official-members"))
    }

    @Test func thematicQuarterMissed() {
        var l = TestLedger.world()  // X registered 2010-01-01: first full quarter is 2010 Q1
        #expect(warnings(&l, "2010-02-01", TestLedger.meeting(kind: "thematic")) == [])
        #expect(warnings(&l, "2010-04-05", TestLedger.meeting()) == [])  // Q1 had one
        #expect(warnings(&l, "2010-05-05", TestLedger.meeting()) == [])
        #expect(warnings(&l, "2010-07-05", TestLedger.meeting()) == ["thematic-quarter-missed"])  // Q2 had none
        #expect(warnings(&l, "2010-08-05", TestLedger.meeting()) == [])  // only the quarter's first meeting warns
        // A cell registered mid-quarter is not judged on its partial first quarter.
        l.ok("OrganizationRegistered", "2011-02-15", ["code": "N", "name": "N", "kind": "cell", "parent": "B"])
        for m in ["a", "b", "c"] { l.ok("MemberRegistered", "2011-02-15", ["memberId": .string(m), "name": "A", "cell": "N", "status": "official"]) }
        #expect(warnings(&l, "2011-04-02", TestLedger.meeting(cell: "N", attendees: ["a", "b"], speakers: [])) == [])
        #expect(warnings(&l, "2011-07-02", TestLedger.meeting(cell: "N", attendees: ["a", "b"], speakers: [])) == ["thematic-quarter-missed"])
    }
}
