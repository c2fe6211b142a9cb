import LedgerJSON

// Roles: every organization keeps its seats filled (a cell's secretary and
// deputy, a committee's secretary, deputy and two committee members, the
// bloc's secretary and deputy), from official working members of the cell or
// of a cell below the organization.
extension DemoEngine {
    /// Emits `MemberRoleEnded` for each role the member holds; returns the organizations whose seats fell vacant.
    @discardableResult
    func endRoles(of member: Int32) -> [Int32] {
        let held = members[Int(member)].roles
        for (org, role) in held {
            emit("MemberRoleEnded", ["memberId": memberId(member), "organization": code(org), "role": .string(role.rawValue)])
            if let seat = orgs[Int(org)].seats.firstIndex(where: { $0.holder == member && $0.role == role }) {
                orgs[Int(org)].seats[seat].holder = -1
            }
        }
        members[Int(member)].roles = []
        return held.map(\.org)
    }

    /// Fills the vacant seats of an organization (if it is not dissolved and has candidates).
    func fillSeats(of org: Int32) {
        guard !orgs[Int(org)].dissolved else { return }
        for seat in orgs[Int(org)].seats.indices where orgs[Int(org)].seats[seat].holder < 0 {
            guard let member = roleCandidate(in: org) else { return }
            let role = orgs[Int(org)].seats[seat].role
            emit("MemberRoleAssigned", ["memberId": memberId(member), "organization": code(org), "role": .string(role.rawValue)])
            orgs[Int(org)].seats[seat].holder = member
            members[Int(member)].roles.append((org, role))
        }
    }

    /// An official working member of the organization's subtree who holds no seat in it yet.
    private func roleCandidate(in org: Int32) -> Int32? {
        func eligible(_ member: Int32) -> Bool {
            let state = members[Int(member)]
            return state.working && state.official && !state.roles.contains { $0.org == org }
        }
        if orgs[Int(org)].kind == .cell {
            let choices = orgs[Int(org)].members.sorted().filter(eligible)
            return choices.isEmpty ? nil : random.pick(choices)
        }
        for _ in 0..<40 {
            var cursor = org
            while orgs[Int(cursor)].kind != .cell {
                let children = orgs[Int(cursor)].children.filter { !orgs[Int($0)].dissolved }
                guard !children.isEmpty else { return nil }
                cursor = random.pick(children)
            }
            let roster = orgs[Int(cursor)].members
            if !roster.isEmpty, case let member = random.pick(roster), eligible(member) { return member }
        }
        return nil
    }
}
