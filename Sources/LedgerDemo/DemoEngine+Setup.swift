import LedgerJSON

// The state on the start date: the bloc, its committees, their cells and
// members, and the roles; plus what each member's future already holds
// (confirmation, retirement, a first task).
extension DemoEngine {
    /// One step of the start date: step 0 registers the bloc; step k registers committee k with its cells,
    /// members and roles (the bloc's roles after the first committee). Done in steps so that the queue of
    /// undelivered events never holds more than one committee.
    func setUp(step: Int) {
        if step == 0 {
            let province = random.pick(DemoVocabulary.provinces)
            _ = registerOrganization(code: "DBK", name: "Đảng bộ Khối các cơ quan tỉnh \(province)", kind: .bloc, parent: -1)
            return
        }
        let width = max(2, String(configuration.committees).count)
        let committee = registerOrganization(
            code: "DB" + zeroPadded(step, width: width), name: committeeName(step), kind: .committee, parent: bloc)
        committees.append(committee)
        for _ in 0..<random.int(in: configuration.cellsPerCommittee) {
            let cell = registerCell(in: committee)
            for _ in 0..<random.int(in: configuration.membersPerCell) {
                registerInitialMember(in: cell)
            }
        }
        for cell in orgs[Int(committee)].children { fillSeats(of: cell) }
        fillSeats(of: committee)
        if step == 1 { fillSeats(of: bloc) }
    }

    func zeroPadded(_ number: Int, width: Int) -> String {
        let digits = String(number)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }

    private func committeeName(_ number: Int) -> String {
        let names = DemoVocabulary.committeeNames
        if number <= names.count { return names[number - 1] }
        let templates = DemoVocabulary.committeeTemplates
        let rest = number - names.count - 1
        return "\(templates[rest % templates.count]) \(rest / templates.count + 1)"
    }

    /// Emits `OrganizationRegistered` and adds the organization (with its seats) to the state.
    func registerOrganization(code: String, name: String, kind: DemoKind, parent: Int32) -> Int32 {
        var data: [String: JSONValue] = ["code": .string(code), "name": .string(name)]
        var org = DemoOrg(code: code, name: name, kind: kind, parent: parent)
        switch kind {
        case .bloc:
            data["kind"] = "bloc"
            org.seats = [DemoSeat(role: .secretary), DemoSeat(role: .deputySecretary)]
        case .committee:
            data["kind"] = "committee"
            org.seats = [DemoSeat(role: .secretary), DemoSeat(role: .deputySecretary),
                DemoSeat(role: .committeeMember), DemoSeat(role: .committeeMember)]
        case .cell:
            data["kind"] = "cell"
            org.seats = [DemoSeat(role: .secretary), DemoSeat(role: .deputySecretary)]
            org.missPerMille = random.pick([0, 0, 0, 0, 0, 20, 50, 80, 150])
            org.thematicMonth = random.below(3)
        }
        if parent >= 0 { data["parent"] = .string(orgs[Int(parent)].code) }
        emit("OrganizationRegistered", data)
        let index = Int32(orgs.count)
        orgs.append(org)
        if parent >= 0 { orgs[Int(parent)].children.append(index) }
        return index
    }

    /// Registers the committee's next cell (`DB01-CB03`, "Chi bộ Phòng Kế hoạch").
    func registerCell(in committee: Int32) -> Int32 {
        orgs[Int(committee)].cellsCreated += 1
        let number = orgs[Int(committee)].cellsCreated
        let names = DemoVocabulary.cellNames
        let name = number <= names.count ? names[number - 1] : "Chi bộ Phòng Nghiệp vụ \(number - names.count)"
        let code = orgs[Int(committee)].code + "-CB" + zeroPadded(number, width: 2)
        return registerOrganization(code: code, name: name, kind: .cell, parent: committee)
    }

    /// A Vietnamese full name: family, middle and given name of one gender.
    func personName() -> String {
        let family = DemoVocabulary.familyNames[random.index(weights: DemoVocabulary.familyWeights)].name
        if random.chance(perMille: 500) {
            return "\(family) \(random.pick(DemoVocabulary.maleMiddleNames)) \(random.pick(DemoVocabulary.maleGivenNames))"
        }
        return "\(family) \(random.pick(DemoVocabulary.femaleMiddleNames)) \(random.pick(DemoVocabulary.femaleGivenNames))"
    }

    /// Adds a member to the state (not the stream) and returns its index; ids are `DV` and six or more digits.
    func addMember(cell: Int32, official: Bool) -> Int32 {
        let index = Int32(members.count)
        var member = DemoMember(id: "DV" + zeroPadded(members.count + 1, width: 6), cell: cell, official: official)
        member.neverTask = random.chance(perMille: 120)
        members.append(member)
        orgs[Int(cell)].members.append(index)
        return index
    }

    private func registerInitialMember(in cell: Int32) {
        let official = !random.chance(perMille: 80)
        let member = addMember(cell: cell, official: official)
        let startYear = DemoCalendar.civil(startDay).year
        let birthYear = random.int(in: (startYear - 61)...(startYear - 23))
        emit("MemberRegistered", [
            "memberId": .string(members[Int(member)].id), "name": .string(personName()),
            "cell": .string(orgs[Int(cell)].code), "status": official ? "official" : "probationary",
            "birthYear": .int(Int64(birthYear)),
        ])
        if !official { schedule(.confirm(member: member), monthsAhead: random.below(12)) }
        scheduleRetirement(member, birthYear: birthYear)
        if !members[Int(member)].neverTask, random.chance(perMille: 850) {
            schedule(.task(member: member), monthsAhead: random.below(6))
        }
    }

    /// Members retire in the year they turn 60 to 62 (at once if that is already past).
    func scheduleRetirement(_ member: Int32, birthYear: Int) {
        let retirementYear = birthYear + random.int(in: 60...62)
        let monthKey = retirementYear * 12 + random.below(12)
        let now = startMonthKey + currentMonth
        let ahead = monthKey <= now ? random.below(6) + (monthIndex < 0 ? 0 : 1) : monthKey - now
        schedule(.retire(member: member), monthsAhead: ahead)
    }
}
