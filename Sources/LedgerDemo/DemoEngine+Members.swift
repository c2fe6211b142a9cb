import LedgerJSON

// Members' lives: admission, confirmation, transfers, tasks, trainings,
// retirement, transfer to the residence's party organization, death.
// Every action checks the member is still there: a member who has left gets
// no further events.
extension DemoEngine {
    func memberId(_ member: Int32) -> JSONValue { .string(members[Int(member)].id) }
    func code(_ org: Int32) -> JSONValue { .string(orgs[Int(org)].code) }

    /// Working members of a cell (active, not retired), in id order.
    func workingMembers(of cell: Int32) -> [Int32] {
        orgs[Int(cell)].members.filter { members[Int($0)].working }.sorted()
    }

    func admit(into cell: Int32) {
        guard !orgs[Int(cell)].dissolved, orgs[Int(cell)].members.count < 30 else { return }
        let member = addMember(cell: cell, official: false)
        emit("MemberAdmitted", ["memberId": memberId(member), "name": .string(personName()), "cell": code(cell)])
        schedule(.confirm(member: member), monthsAhead: 12, days: 1...28)
        scheduleRetirement(member, birthYear: DemoCalendar.civil(today).year - random.int(in: 20...38))
        if !members[Int(member)].neverTask, random.chance(perMille: 600) {
            schedule(.task(member: member), monthsAhead: random.int(in: 1...4))
        }
        if random.chance(perMille: 700) { schedule(.newMemberTraining(member: member), monthsAhead: random.int(in: 1...6)) }
    }

    /// A probationary member becomes official after about a year; a few are struck off instead.
    func confirm(_ member: Int32) {
        guard members[Int(member)].active, !members[Int(member)].official else { return }
        if random.chance(perMille: 30) {
            endRoles(of: member)
            emit("MemberRemoved", ["memberId": memberId(member), "reason": "struck-off"])
            leave(member)
            return
        }
        emit("MemberConfirmed", ["memberId": memberId(member)])
        members[Int(member)].official = true
    }

    func transferSomeone(from cell: Int32) {
        guard !orgs[Int(cell)].dissolved else { return }
        let candidates = workingMembers(of: cell).filter { !members[Int($0)].disciplined }
        guard !candidates.isEmpty, let destination = transferDestination(from: cell) else { return }
        let member = random.pick(candidates)
        transfer(member, to: destination, kind: random.chance(perMille: 800) ? "official" : "temporary")
    }

    /// Mostly a sibling cell, sometimes a cell of another committee; never a dissolved or full one.
    private func transferDestination(from cell: Int32) -> Int32? {
        let committee = random.chance(perMille: 850) ? orgs[Int(cell)].parent : random.pick(committees)
        let choices = orgs[Int(committee)].children.filter {
            $0 != cell && !orgs[Int($0)].dissolved && orgs[Int($0)].members.count < 30
        }
        return choices.isEmpty ? nil : random.pick(choices)
    }

    /// Ends the member's roles, moves them, and fills the seats they left.
    func transfer(_ member: Int32, to destination: Int32, kind: String) {
        let vacated = endRoles(of: member)
        let origin = members[Int(member)].cell
        emit("MemberTransferred", ["memberId": memberId(member), "toCell": code(destination), "kind": .string(kind)])
        orgs[Int(origin)].members.removeAll { $0 == member }
        orgs[Int(destination)].members.append(member)
        members[Int(member)].cell = destination
        vacated.forEach(fillSeats(of:))
    }

    func assignTaskInCell(_ cell: Int32) {
        guard !orgs[Int(cell)].dissolved else { return }
        let candidates = workingMembers(of: cell).filter { !members[Int($0)].neverTask }
        if !candidates.isEmpty { assignTask(random.pick(candidates)) }
    }

    func assignTask(_ member: Int32) {
        guard members[Int(member)].working, !members[Int(member)].neverTask else { return }
        var data: [String: JSONValue] = ["memberId": memberId(member), "task": .string(random.pick(DemoVocabulary.tasks))]
        if random.chance(perMille: 700) { data["assignedBy"] = code(members[Int(member)].cell) }
        if random.chance(perMille: 400) {
            data["dueOn"] = .string("\(DemoCalendar.civil(today).year)-12-31")
        }
        emitRetractable("MemberTaskAssigned", data, what: .task, subject: -1 - member)
    }

    func trainSome(in cell: Int32) {
        guard !orgs[Int(cell)].dissolved else { return }
        let course = random.pick(DemoVocabulary.trainingCourses)
        for member in random.sample(workingMembers(of: cell), count: random.int(in: 1...3)) {
            train(member, course: course)
        }
    }

    func train(_ member: Int32, course: String) {
        guard members[Int(member)].working else { return }
        let committee = orgs[Int(members[Int(member)].cell)].parent
        let by = random.chance(perMille: 750) ? committee : bloc
        emitRetractable("TrainingCompleted", ["memberId": memberId(member), "course": .string(course), "by": code(by)],
            what: .training, subject: -1 - member)
    }

    /// Retires a member; most transfer to their residence's organization 1–6 months later, some never do.
    func retire(_ member: Int32) {
        guard members[Int(member)].working else { return }
        let vacated = endRoles(of: member)
        emit("MemberRetired", ["memberId": memberId(member)])
        members[Int(member)].retired = true
        vacated.forEach(fillSeats(of:))
        if random.chance(perMille: 850) { schedule(.residence(member: member), monthsAhead: random.int(in: 1...6)) }
    }

    func transferToResidence(_ member: Int32) {
        guard members[Int(member)].active, members[Int(member)].retired else { return }
        let place = random.chance(perMille: 600) ? "khu phố" : "tổ dân phố"
        let residence = "Chi bộ \(place) \(random.int(in: 1...12)), \(random.pick(DemoVocabulary.wards))"
        emit("MemberTransferredToResidence", ["memberId": memberId(member), "residenceOrganization": .string(residence)])
        leave(member)
    }

    /// Rare: a working member dies (retirees awaiting their transfer are spared, to keep the report's list unambiguous).
    func recordDeath(in cell: Int32) {
        guard !orgs[Int(cell)].dissolved else { return }
        let candidates = workingMembers(of: cell)
        guard !candidates.isEmpty else { return }
        let member = random.pick(candidates)
        let vacated = endRoles(of: member)
        emit("MemberRemoved", ["memberId": memberId(member), "reason": "deceased"])
        leave(member)
        vacated.forEach(fillSeats(of:))
    }

    /// Takes a member out of the state's rosters (the event is already emitted).
    func leave(_ member: Int32) {
        members[Int(member)].active = false
        let cell = members[Int(member)].cell
        orgs[Int(cell)].members.removeAll { $0 == member }
    }
}
