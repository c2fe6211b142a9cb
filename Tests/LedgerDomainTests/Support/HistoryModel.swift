import LedgerDomain
import LedgerJSON

/// SplitMix64: a tiny deterministic generator, so every failing seed replays exactly.
struct SeededRandom: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// An independent model of the ledger that proposes only legal events (and,
/// on request, illegal mutations with the refusal they must get). It does not
/// read `DomainState`: it keeps its own books, and the property test compares.
struct HistoryModel {
    struct Org { var kind: OrganizationKind; var parent: String?; var dissolved = false }
    struct Mem {
        var cell: String
        var status: MemberStatus
        var active = true
        var retired = false
        var roles: Set<RoleKey> = []
        var expelledBy: String?
    }
    struct Disc { var subject: Subject; var form: DisciplineForm?; var original: DisciplineForm }

    var rng: SeededRandom
    var day: BusinessDate = BusinessDate("2010-01-01")!
    var orgs: [String: Org] = [:]
    var orgOrder: [String] = []
    var members: [String: Mem] = [:]
    var memberOrder: [String] = []
    var disciplines: [String: Disc] = [:]
    var inspections: [String: Bool] = [:]  // id → concluded
    var rated: Set<String> = []  // "subject/year"
    var leafSeqs: [UInt64] = []
    var counter = 0

    init(seed: UInt64) { rng = SeededRandom(seed: seed) }

    mutating func fresh(_ prefix: String) -> String {
        counter += 1
        return "\(prefix)\(counter)"
    }

    mutating func pick<T>(_ items: [T]) -> T? {
        items.isEmpty ? nil : items[Int(rng.next() % UInt64(items.count))]
    }

    mutating func chance(_ percent: UInt64) -> Bool { rng.next() % 100 < percent }

    func ancestors(_ code: String) -> [String] {
        var out: [String] = []
        var c = orgs[code]?.parent
        while let p = c { out.append(p); c = orgs[p]?.parent }
        return out
    }

    var liveCells: [String] { orgOrder.filter { orgs[$0]!.kind == .cell && !orgs[$0]!.dissolved } }
    var liveOrgs: [String] { orgOrder.filter { !orgs[$0]!.dissolved } }
    var activeMembers: [String] { memberOrder.filter { members[$0]!.active } }
    func activeMembers(of cell: String) -> [String] { activeMembers.filter { members[$0]!.cell == cell } }

    /// The next legal event: (event, date, leaf?). Advances the model as if accepted.
    mutating func nextLegal() -> (DomainEvent, BusinessDate) {
        day = BusinessDate(dayNumber: day.dayNumber + Int32(rng.next() % 12))
        while true {
            if let e = propose() { return (e, day) }
        }
    }

    private mutating func propose() -> DomainEvent? {
        if orgs.isEmpty {
            orgs["B"] = Org(kind: .bloc, parent: nil)
            orgOrder.append("B")
            return .organizationRegistered(.init(code: "B", name: "Khối", kind: .bloc))
        }
        switch rng.next() % 20 {
        case 0:
            guard let parent = pick(liveOrgs.filter { orgs[$0]!.kind != .cell }) else { return nil }
            let kind: OrganizationKind = chance(70) ? .cell : .committee
            let code = fresh("O")
            orgs[code] = Org(kind: kind, parent: parent)
            orgOrder.append(code)
            return .organizationRegistered(.init(code: code, name: "Tổ chức \(code)", kind: kind, parent: parent))
        case 1, 2:
            guard let cell = pick(liveCells) else { return nil }
            let id = fresh("M")
            let official = chance(70)
            members[id] = Mem(cell: cell, status: official ? .official : .probationary)
            memberOrder.append(id)
            return official || chance(50)
                ? .memberRegistered(.init(memberId: id, name: "Đảng viên \(id)", cell: cell, status: official ? .official : .probationary, birthYear: 1960 + Int(rng.next() % 40)))
                : .memberAdmitted(.init(memberId: id, name: "Đảng viên \(id)", cell: cell))
        case 3:
            guard let id = pick(activeMembers.filter { members[$0]!.status == .probationary }) else { return nil }
            members[id]!.status = .official
            return .memberConfirmed(.init(memberId: id))
        case 4:
            guard let id = pick(activeMembers), let to = pick(liveCells.filter { $0 != members[id]!.cell }) else { return nil }
            let keep = Set([to] + ancestors(to))
            members[id]!.cell = to
            members[id]!.roles = members[id]!.roles.filter { keep.contains($0.organization) }
            return .memberTransferred(.init(memberId: id, toCell: to, kind: chance(80) ? .official : .temporary))
        case 5:
            guard let id = pick(activeMembers) else { return nil }
            let m = members[id]!
            guard let org = pick(([m.cell] + ancestors(m.cell)).filter { !orgs[$0]!.dissolved }), let role = pick(Role.allCases)
            else { return nil }
            let key = RoleKey(organization: org, role: role)
            guard !m.roles.contains(key) else { return nil }
            members[id]!.roles.insert(key)
            return .memberRoleAssigned(.init(memberId: id, organization: org, role: role))
        case 6:
            guard let id = pick(activeMembers.filter { !members[$0]!.roles.isEmpty }),
                  let key = pick(members[id]!.roles.sorted()) else { return nil }
            members[id]!.roles.remove(key)
            return .memberRoleEnded(.init(memberId: id, organization: key.organization, role: key.role))
        case 7:
            guard let id = pick(activeMembers) else { return nil }
            return .memberTaskAssigned(.init(memberId: id, task: "Nhiệm vụ \(counter)", assignedBy: orgs[members[id]!.cell]!.dissolved ? nil : members[id]!.cell, dueOn: chance(50) ? day : nil))
        case 8:
            guard let id = pick(activeMembers.filter { !members[$0]!.retired }) else { return nil }
            members[id]!.retired = true
            return .memberRetired(.init(memberId: id))
        case 9:
            guard chance(40), let id = pick(activeMembers) else { return nil }
            depart(id)
            return chance(50) ? .memberTransferredToResidence(.init(memberId: id, residenceOrganization: "Khu phố \(counter)"))
                : .memberRemoved(.init(memberId: id, reason: pick(RemovalReason.allCases)!))
        case 10, 11, 12:
            var byCell: [String: [String]] = [:]
            for id in activeMembers { byCell[members[id]!.cell, default: []].append(id) }
            guard let cell = pick(liveCells.filter { byCell[$0] != nil }) else { return nil }
            var people = byCell[cell]!
            people.shuffle(using: &rng)
            let split = 1 + Int(rng.next() % UInt64(people.count))
            let attendees = Array(people[..<split])
            let absentees = people[split...].map { MeetingHeld.Absentee(memberId: $0, reason: "bận") }
            let speakers = attendees.filter { _ in chance(40) }
            return .meetingHeld(.init(cell: cell, kind: chance(30) ? .thematic : .regular, durationMinutes: 30 + Int(rng.next() % 200),
                                      attendees: attendees, absentees: absentees, speakers: speakers, minutesRecorded: chance(90)))
        case 13:
            guard let by = pick(liveOrgs), let target = pick(liveOrgs) else { return nil }
            let id = fresh("I")
            inspections[id] = false
            return .inspectionFiled(.init(inspectionId: id, by: by, kind: pick(InspectionKind.allCases)!, targetOrganizations: [target],
                                          targetMembers: pick(activeMembers).map { [$0] }))
        case 14:
            guard let id = pick(inspections.keys.sorted().filter { !inspections[$0]! }) else { return nil }
            inspections[id] = true
            return .inspectionConcluded(.init(inspectionId: id, conclusion: "Kết luận", violationsFound: chance(30)))
        case 15:
            guard let id = pick(activeMembers) else { return nil }
            let m = members[id]!
            let forms = m.status == .probationary ? DisciplineForm.allowedForProbationary : DisciplineForm.allowed(for: .member)
            guard let form = pick(forms), let by = pick(([m.cell] + ancestors(m.cell)).filter { !orgs[$0]!.dissolved }) else { return nil }
            let d = fresh("D")
            disciplines[d] = Disc(subject: .member(id), form: form, original: form)
            if form == .expulsion { depart(id); members[id]!.expelledBy = d }
            return .disciplineImposed(.init(disciplineId: d, subject: .member(id), form: form, decidedBy: by, reason: "Vi phạm"))
        case 16:
            guard let d = pick(disciplines.keys.sorted().filter { disciplines[$0]!.form != nil }) else { return nil }
            let disc = disciplines[d]!
            let outcome = pick(RevisionOutcome.allCases)!
            var newForm: DisciplineForm?
            if outcome == .reduced {
                guard let lighter = pick(DisciplineForm.allowed(for: disc.subject.kind).filter { $0.severity < disc.form!.severity })
                else { return nil }
                newForm = lighter
            }
            if outcome != .upheld, case .member(let id) = disc.subject, members[id]!.expelledBy == d {
                members[id]!.active = true
                members[id]!.expelledBy = nil
            }
            disciplines[d]!.form = outcome == .annulled ? nil : (newForm ?? disc.form)
            return .disciplineRevised(.init(disciplineId: d, outcome: outcome, newForm: newForm))
        case 17:
            guard let id = pick(activeMembers) else { return nil }
            let year = day.year - 1
            guard rated.insert("\(id)/\(year)").inserted else { return nil }
            return .qualityEvaluated(.init(subject: .member(id), year: year, rating: pick(QualityRating.allCases)!))
        case 18:
            guard chance(15), let cell = pick(liveCells) else { return nil }
            orgs[cell]!.dissolved = true
            return .organizationDissolved(.init(code: cell, reason: "Sáp nhập"))
        default:
            guard let seq = pick(leafSeqs) else { return nil }
            leafSeqs.removeAll { $0 == seq }
            return .eventRetracted(.init(seq: seq, reason: "Nhầm"))
        }
    }

    private mutating func depart(_ id: String) {
        members[id]!.active = false
        members[id]!.roles = []
    }

    /// An event the ledger must refuse, with the code it must give.
    mutating func illegal() -> (DomainEvent, DomainError.Code)? {
        switch rng.next() % 8 {
        case 0:
            guard let id = pick(memberOrder.filter { !members[$0]!.active }) else { return nil }
            return (.memberTaskAssigned(.init(memberId: id, task: "t")), .memberNotActive)
        case 1:
            guard let id = pick(activeMembers.filter { members[$0]!.status == .official }) else { return nil }
            return (.memberConfirmed(.init(memberId: id)), .notProbationary)
        case 2:
            guard let id = pick(memberOrder), let cell = pick(liveCells) else { return nil }
            return (.memberAdmitted(.init(memberId: id, name: "Trùng", cell: cell)), .memberExists)
        case 3:
            guard let id = pick(activeMembers.filter { !orgs[members[$0]!.cell]!.dissolved }) else { return nil }
            return (.memberTransferred(.init(memberId: id, toCell: members[id]!.cell, kind: .official)), .sameCell)
        case 4:
            guard let id = pick(activeMembers.filter { members[$0]!.status == .probationary && !orgs[members[$0]!.cell]!.dissolved })
            else { return nil }
            return (.disciplineImposed(.init(disciplineId: fresh("X"), subject: .member(id), form: .expulsion, decidedBy: members[id]!.cell, reason: "r")), .formNotAllowedForProbationary)
        case 5:
            guard let cell = pick(liveCells), let outsider = pick(activeMembers.filter { members[$0]!.cell != cell }) else { return nil }
            return (.meetingHeld(.init(cell: cell, kind: .regular, durationMinutes: 90, attendees: [outsider], minutesRecorded: true)), .participantNotInCell)
        case 6:
            return (.memberRetired(.init(memberId: fresh("nobody"))), .memberNotFound)
        default:
            guard let id = pick(activeMembers) else { return nil }
            let cell = members[id]!.cell
            guard let other = pick(liveCells.filter { $0 != cell && !ancestors(cell).contains($0) }) else { return nil }
            return (.memberRoleAssigned(.init(memberId: id, organization: other, role: .secretary)), .roleOrganizationNotAllowed)
        }
    }
}
