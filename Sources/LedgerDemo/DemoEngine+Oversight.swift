import LedgerJSON

// Inspection, supervision and discipline: a committee (or the bloc) files an
// inspection against some of its cells (the bloc sometimes against a
// committee), concludes it 1–3 months later, and after a violation
// disciplines the members or the cell named; some disciplines are appealed
// and revised.
extension DemoEngine {
    func fileInspection(by body: Int32) {
        var targets: [Int32]
        var kind = ["supervision", "supervision", "supervision", "inspection", "inspection", "violation-inspection"][random.below(6)]
        if body == bloc, random.chance(perMille: 400) {
            targets = [random.pick(committees)]
            if kind == "violation-inspection" { kind = "inspection" }
        } else {
            let committee = body == bloc ? random.pick(committees) : body
            let cells = orgs[Int(committee)].children.filter { !orgs[Int($0)].dissolved }
            targets = random.sample(cells, count: random.int(in: 1...3))
        }
        guard !targets.isEmpty else { return }
        let targetCells = targets.filter { orgs[Int($0)].kind == .cell }
        var targetMembers: [Int32] = []
        if kind == "violation-inspection" {
            let suspects = targetCells.flatMap(workingMembers(of:))
            targetMembers = random.sample(suspects, count: random.int(in: 1...2))
            if targetMembers.isEmpty { kind = "inspection" }
        } else if kind == "inspection", random.chance(perMille: 200), let first = targetCells.first,
            let secretary = orgs[Int(first)].seats.first(where: { $0.role == .secretary && $0.holder >= 0 })?.holder
        {
            targetMembers = [secretary]
        }

        orgs[Int(body)].inspectionsFiled += 1
        let prefix = kind == "supervision" ? "GS" : kind == "inspection" ? "KT" : "KTDH"
        let year = DemoCalendar.civil(today).year
        let id = "\(orgs[Int(body)].code)-\(prefix)\(year)-\(zeroPadded(orgs[Int(body)].inspectionsFiled, width: 3))"
        var data: [String: JSONValue] = [
            "inspectionId": .string(id), "by": code(body), "kind": .string(kind),
            "targetOrganizations": .array(targets.map(code)),
        ]
        if !targetMembers.isEmpty { data["targetMembers"] = .array(targetMembers.map(memberId)) }
        if random.chance(perMille: 800) {
            data["team"] = .array((0..<random.int(in: 2...3)).map { _ in .string(personName()) })
        }
        if random.chance(perMille: 700) { data["findings"] = .string(random.pick(DemoVocabulary.inspectionFindings)) }
        emit("InspectionFiled", data)

        for cell in targetCells { orgs[Int(cell)].openInspections += 1 }
        let key = nextInspectionKey
        nextInspectionKey += 1
        inspections[key] = DemoInspection(id: id, kind: kind, by: body, targetCells: targetCells, targetMembers: targetMembers)
        schedule(.conclude(inspection: key), monthsAhead: random.int(in: 1...3))
    }

    func conclude(_ key: Int32) {
        guard let inspection = inspections.removeValue(forKey: key) else { return }
        let perMille = inspection.kind == "violation-inspection" ? 650 : inspection.kind == "inspection" ? 120 : 50
        let violations = random.chance(perMille: perMille)
        let conclusion = random.pick(violations ? DemoVocabulary.conclusionsViolation : DemoVocabulary.conclusionsClean)
        emit("InspectionConcluded", [
            "inspectionId": .string(inspection.id), "conclusion": .string(conclusion), "violationsFound": .bool(violations),
        ])
        for cell in inspection.targetCells { orgs[Int(cell)].openInspections -= 1 }
        guard violations, inspection.kind != "supervision" else { return }
        if !inspection.targetMembers.isEmpty {
            for member in inspection.targetMembers where random.chance(perMille: 750) {
                schedule(.disciplineMember(member: member, inspection: inspection.id), monthsAhead: 1)
            }
        } else if let cell = inspection.targetCells.first, random.chance(perMille: 400) {
            schedule(.disciplineCell(cell: cell, inspection: inspection.id), monthsAhead: 1)
        }
    }

    /// Reprimand or warning mostly; dismissal only for an official member holding a role (whose roles then end);
    /// expulsion only for an official member holding none (it removes the member).
    func discipline(member: Int32, inspection: String) {
        guard members[Int(member)].working else { return }
        let state = members[Int(member)]
        var form = ["reprimand", "warning"][random.index(weights: [60, 40])]
        if state.official {
            form = ["reprimand", "warning", "dismissal", "expulsion"][random.index(weights: [50, 32, 12, 6])]
            if form == "dismissal", state.roles.isEmpty { form = "warning" }
            if form == "expulsion", !state.roles.isEmpty { form = "warning" }
        }
        let cell = state.cell
        let committee = orgs[Int(cell)].parent
        let heavy = form == "dismissal" || form == "expulsion"
        let decidedBy = heavy ? (random.chance(perMille: 850) ? committee : bloc) : (random.chance(perMille: 400) ? cell : committee)
        let id = nextDisciplineId()
        emit("DisciplineImposed", [
            "disciplineId": .string(id), "subjectKind": "member", "subject": memberId(member), "form": .string(form),
            "decidedBy": code(decidedBy), "reason": .string(random.pick(DemoVocabulary.disciplineReasons)),
            "inspectionId": .string(inspection),
        ])
        members[Int(member)].disciplined = true
        switch form {
        case "expulsion":
            leave(member)
            return
        case "dismissal":
            endRoles(of: member).forEach(fillSeats(of:))
        default: break
        }
        maybeAppeal(DemoDiscipline(id: id, form: form, subject: member, onOrganization: false))
    }

    func discipline(cell: Int32, inspection: String) {
        guard !orgs[Int(cell)].dissolved else { return }
        let form = random.chance(perMille: 700) ? "reprimand" : "warning"
        let id = nextDisciplineId()
        emit("DisciplineImposed", [
            "disciplineId": .string(id), "subjectKind": "organization", "subject": code(cell), "form": .string(form),
            "decidedBy": code(orgs[Int(cell)].parent),
            "reason": .string(random.pick(DemoVocabulary.organizationDisciplineReasons)), "inspectionId": .string(inspection),
        ])
        maybeAppeal(DemoDiscipline(id: id, form: form, subject: cell, onOrganization: true))
    }

    private func nextDisciplineId() -> String {
        disciplinesImposed += 1
        return "KL\(DemoCalendar.civil(today).year)-\(zeroPadded(disciplinesImposed, width: 5))"
    }

    private func maybeAppeal(_ discipline: DemoDiscipline) {
        guard random.chance(perMille: 300) else { return }
        let key = nextDisciplineKey
        nextDisciplineKey += 1
        disciplines[key] = discipline
        schedule(.appeal(discipline: key), monthsAhead: random.int(in: 1...2))
    }

    /// Whether the discipline's subject is still there to appeal or to be revised.
    private func subjectPresent(_ discipline: DemoDiscipline) -> Bool {
        discipline.onOrganization ? !orgs[Int(discipline.subject)].dissolved : members[Int(discipline.subject)].working
    }

    func appeal(_ key: Int32) {
        guard let discipline = disciplines[key], subjectPresent(discipline) else {
            disciplines[key] = nil
            return
        }
        emit("DisciplineAppealed", ["disciplineId": .string(discipline.id), "grounds": .string(random.pick(DemoVocabulary.appealGrounds))])
        schedule(.revise(discipline: key), monthsAhead: random.int(in: 1...3))
    }

    /// Upheld mostly; reduced to a lighter form where there is one; sometimes annulled.
    func revise(_ key: Int32) {
        guard let discipline = disciplines.removeValue(forKey: key), subjectPresent(discipline) else { return }
        let lighter: [String] = discipline.form == "warning" ? ["reprimand"] : discipline.form == "dismissal" ? ["warning", "reprimand"] : []
        var data: [String: JSONValue] = ["disciplineId": .string(discipline.id)]
        switch random.index(weights: [60, 25, 15]) {
        case 1 where !lighter.isEmpty:
            data["outcome"] = "reduced"
            data["newForm"] = .string(random.pick(lighter))
        case 2:
            data["outcome"] = "annulled"
        default:
            data["outcome"] = "upheld"
        }
        emit("DisciplineRevised", data)
    }
}
