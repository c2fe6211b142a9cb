// As-of questions the model can answer besides the report, for tests of the
// ledger's bitemporal queries ("who was in this cell on that date?").
// Dates are `YYYY-MM-DD`; the state on a date includes that date's events;
// retracted events never count.
extension DemoModel {
    /// The cell a member belonged to on `date`: nil if they had not joined by then or the input is invalid.
    /// After a member leaves, this is still their last cell.
    public func cell(ofMember id: String, on date: String) -> String? {
        guard let index = memberIndex[id], let day = DemoCalendar.parse(date),
            live(members[Int(index)].joined), let cell = cell(of: members[Int(index)], on: Int32(day))
        else { return nil }
        return orgs[Int(cell)].code
    }

    /// Whether the member was active on `date` (joined, and not removed, expelled or transferred to residence).
    public func isActive(member id: String, on date: String) -> Bool {
        guard let index = memberIndex[id], let day = DemoCalendar.parse(date) else { return false }
        return isActive(members[Int(index)], on: Int32(day))
    }

    /// The members active on `date` in a cell, or in the cells under an organization, sorted by id.
    public func activeMembers(of org: String, on date: String) -> [String] {
        guard let root = orgIndex[org], let day = DemoCalendar.parse(date) else { return [] }
        let inScope = orgs.indices.map { index -> Bool in
            var cursor = Int32(index)
            while cursor >= 0 {
                if cursor == root { return true }
                cursor = orgs[Int(cursor)].parent
            }
            return false
        }
        return members.filter { member in
            guard isActive(member, on: Int32(day)), let cell = cell(of: member, on: Int32(day)) else { return false }
            return inScope[Int(cell)]
        }.map(\.id).sorted()
    }
}
