import LedgerJSON

/// An independent, deliberately simple reading of the domain rules of
/// CONTRACT.md and issue 3, applied to a stream in order as a fresh ledger
/// would: it collects every violation instead of refusing. It also keeps the
/// end state, to cross-check the generator's model.
struct RulesChecker {
    struct Org { var kind: String; var parent: String?; var dissolved = false }
    struct Member {
        var cell: String
        var status: String
        var active = true
        var retired = false
        var roles: Set<String> = []  // "ORG/role"
        var taskSeqs: [Int] = []
    }

    static let retractable: Set<String> = ["MeetingHeld", "MemberTaskAssigned", "QualityEvaluated", "Commended", "TrainingCompleted"]
    static let severity = ["reprimand": 1, "warning": 2, "dismissal": 3, "expulsion": 4]

    var orgs: [String: Org] = [:]
    var members: [String: Member] = [:]
    var inspections: [String: Bool] = [:]  // id → concluded
    var disciplines: [String: String] = [:]  // id → form
    var typesBySeq: [String] = [""]  // index = seq
    var retracted: Set<Int> = []
    var evaluations: Set<String> = []  // "subject/year": one evaluation a year
    var lastDate = ""
    var violations: [String] = []
    var seq = 0

    mutating func check(_ stream: [JSONValue]) {
        for event in stream { check(event) }
    }

    private mutating func fail(_ message: String) { violations.append("seq \(seq): \(message)") }

    /// Whether `org` is `ancestor` or lies below it.
    func isWithin(_ org: String, _ ancestor: String) -> Bool {
        var cursor: String? = org
        while let code = cursor {
            if code == ancestor { return true }
            cursor = orgs[code]?.parent
        }
        return false
    }

    private mutating func activeMember(_ id: String?) -> Member? {
        guard let id, let member = members[id] else { fail("unknown member \(id ?? "nil")"); return nil }
        if !member.active { fail("member \(id) has left") ; return nil }
        return member
    }

    private mutating func liveOrg(_ code: String?, kind: String? = nil) -> Org? {
        guard let code, let org = orgs[code] else { fail("unknown organization \(code ?? "nil")"); return nil }
        if org.dissolved { fail("organization \(code) is dissolved") }
        if let kind, org.kind != kind { fail("\(code) is a \(org.kind), want \(kind)") }
        return org
    }

    mutating func check(_ event: JSONValue) {
        seq += 1
        let type = event["type"]?.stringValue ?? ""
        typesBySeq.append(type)
        let date = event["occurredOn"]?.stringValue ?? ""
        if date < lastDate { fail("occurredOn \(date) before \(lastDate)") }
        lastDate = max(lastDate, date)
        let data = event["data"] ?? .null
        let id = data["memberId"]?.stringValue
        switch type {
        case "OrganizationRegistered":
            let code = data["code"]!.stringValue!, kind = data["kind"]!.stringValue!
            let parent = data["parent"]?.stringValue
            if orgs[code] != nil { fail("duplicate code \(code)") }
            switch (kind, parent.flatMap { orgs[$0]?.kind }) {
            case ("bloc", nil) where parent == nil, ("committee", "bloc"), ("cell", "committee"), ("cell", "bloc"): break
            default: fail("\(kind) \(code) under \(parent ?? "nothing")")
            }
            if let parent { _ = liveOrg(parent) }
            orgs[code] = Org(kind: kind, parent: parent)
        case "OrganizationDissolved":
            let code = data["code"]!.stringValue!
            _ = liveOrg(code)
            if members.values.contains(where: { $0.active && $0.cell == code }) { fail("dissolving \(code) with members") }
            orgs[code]?.dissolved = true
        case "MemberRegistered", "MemberAdmitted":
            if members[id!] != nil { fail("duplicate member \(id!)") }
            let cell = data["cell"]!.stringValue!
            _ = liveOrg(cell, kind: "cell")
            members[id!] = Member(cell: cell, status: data["status"]?.stringValue ?? "probationary")
        case "MemberConfirmed":
            if let member = activeMember(id), member.status != "probationary" { fail("confirming official \(id!)") }
            members[id!]?.status = "official"
        case "MemberTransferred":
            let cell = data["toCell"]!.stringValue!
            if let member = activeMember(id), member.cell == cell { fail("transfer to the same cell") }
            _ = liveOrg(cell, kind: "cell")
            members[id!]?.cell = cell
        case "MemberRoleAssigned", "MemberRoleEnded":
            let org = data["organization"]!.stringValue!, role = "\(org)/\(data["role"]!.stringValue!)"
            guard let member = activeMember(id) else { break }
            _ = liveOrg(org)
            if !isWithin(member.cell, org) { fail("role in \(org) for a member of \(member.cell)") }
            if type == "MemberRoleAssigned" {
                if member.roles.contains(role) { fail("role \(role) held twice") }
                members[id!]?.roles.insert(role)
            } else {
                if !member.roles.contains(role) { fail("ending \(role) not held") }
                members[id!]?.roles.remove(role)
            }
        case "MemberTaskAssigned":
            _ = activeMember(id)
            if let by = data["assignedBy"]?.stringValue { _ = liveOrg(by) }
            members[id!]?.taskSeqs.append(seq)
        case "MemberRetired":
            if let member = activeMember(id), member.retired { fail("retired twice") }
            members[id!]?.retired = true
        case "MemberTransferredToResidence", "MemberRemoved":
            _ = activeMember(id)
            members[id!]?.active = false
        case "MeetingHeld": checkMeeting(data)
        case "InspectionFiled":
            let inspection = data["inspectionId"]!.stringValue!
            if inspections[inspection] != nil { fail("duplicate inspection") }
            _ = liveOrg(data["by"]?.stringValue)
            for target in data["targetOrganizations"]!.arrayValue! { _ = liveOrg(target.stringValue) }
            for target in data["targetMembers"]?.arrayValue ?? [] { _ = activeMember(target.stringValue) }
            inspections[inspection] = false
        case "InspectionConcluded":
            let inspection = data["inspectionId"]!.stringValue!
            if inspections[inspection] != false { fail("concluding \(inspection): not open") }
            inspections[inspection] = true
        case "DisciplineImposed": checkDiscipline(data)
        case "DisciplineAppealed", "DisciplineRevised":
            let discipline = data["disciplineId"]!.stringValue!
            guard let form = disciplines[discipline] else { fail("unknown discipline \(discipline)"); break }
            if data["outcome"]?.stringValue == "reduced" {
                let newForm = data["newForm"]?.stringValue ?? ""
                if (Self.severity[newForm] ?? 9) >= (Self.severity[form] ?? 0) { fail("reduced \(form) to \(newForm)") }
            } else if data["newForm"] != nil { fail("newForm without reduction") }
        case "QualityEvaluated", "Commended":
            let subject = data["subject"]!.stringValue!
            if let year = data["year"]?.intValue, !evaluations.insert("\(subject)/\(year)").inserted {
                fail("\(subject) evaluated twice for \(year)")
            }
            if data["subjectKind"]!.stringValue! == "member" { _ = activeMember(subject) } else { _ = liveOrg(subject) }
            if let by = data["by"]?.stringValue { _ = liveOrg(by) }
        case "TrainingCompleted":
            _ = activeMember(id)
            _ = liveOrg(data["by"]?.stringValue)
        case "EventRetracted":
            let target = Int(data["seq"]!.intValue!)
            if target < 1 || target >= seq { fail("retracting seq \(target) out of range"); break }
            if !Self.retractable.contains(typesBySeq[target]) { fail("retracting a \(typesBySeq[target])") }
            if !retracted.insert(target).inserted { fail("retracting \(target) twice") }
        default: fail("unknown type \(type)")
        }
    }

    private mutating func checkMeeting(_ data: JSONValue) {
        let cell = data["cell"]!.stringValue!
        _ = liveOrg(cell, kind: "cell")
        let attendees = data["attendees"]!.arrayValue!.map { $0.stringValue! }
        let absentees = data["absentees"]!.arrayValue!.map { $0["memberId"]!.stringValue! }
        let speakers = data["speakers"]!.arrayValue!.map { $0.stringValue! }
        for person in attendees + absentees {
            if let member = activeMember(person), member.cell != cell { fail("\(person) of \(member.cell) at a meeting of \(cell)") }
        }
        if attendees.isEmpty { fail("a meeting without attendees") }
        if !Set(attendees).isDisjoint(with: absentees) { fail("someone both attends and is absent") }
        if !Set(speakers).isSubset(of: attendees) { fail("a speaker who did not attend") }
        if Set(attendees).count != attendees.count || Set(absentees).count != absentees.count { fail("duplicate in a list") }
        let minutes = data["durationMinutes"]!.intValue!
        if !(1...720).contains(minutes) { fail("durationMinutes \(minutes)") }
    }

    private mutating func checkDiscipline(_ data: JSONValue) {
        let discipline = data["disciplineId"]!.stringValue!, form = data["form"]!.stringValue!
        let subject = data["subject"]!.stringValue!, decidedBy = data["decidedBy"]!.stringValue!
        if disciplines[discipline] != nil { fail("duplicate discipline") }
        disciplines[discipline] = form
        if let inspection = data["inspectionId"]?.stringValue, inspections[inspection] == nil { fail("unknown inspection") }
        _ = liveOrg(decidedBy)
        if data["subjectKind"]!.stringValue! == "member" {
            guard let member = activeMember(subject) else { return }
            if !EventShapeChecker.memberForms.contains(form) { fail("member form \(form)") }
            if member.status == "probationary", form != "reprimand", form != "warning" { fail("\(form) for a probationary member") }
            if !isWithin(member.cell, decidedBy) { fail("decidedBy \(decidedBy) not above \(member.cell)") }
            if form == "expulsion" { members[subject]?.active = false }
        } else {
            _ = liveOrg(subject)
            if !EventShapeChecker.organizationForms.contains(form) { fail("organization form \(form)") }
            if !isWithin(subject, decidedBy) { fail("decidedBy \(decidedBy) not above \(subject)") }
            if form == "dissolution" { orgs[subject]?.dissolved = true }
        }
    }
}
