import LedgerJSON

// Rounds and reorganizations: December's quality evaluations, February's
// commendations, new cells, merged (dissolved) cells, and retractions of a
// recorded mistake.
extension DemoEngine {
    private static let ratings = ["excellent", "good", "satisfactory", "unsatisfactory"]
    private static let ratingWeights = [15, 65, 17, 3]

    /// Rates every active cell of the committee and each of its working members for the year.
    func evaluate(_ committee: Int32, year: Int) {
        for cell in orgs[Int(committee)].children where !orgs[Int(cell)].dissolved {
            let cellRating = Self.ratings[random.index(weights: Self.ratingWeights)]
            orgs[Int(cell)].excellent = cellRating == "excellent"
            emitRetractable("QualityEvaluated", [
                "subjectKind": "organization", "subject": code(cell), "year": .int(Int64(year)), "rating": .string(cellRating),
            ], what: .evaluation, subject: cell)
            for member in workingMembers(of: cell) where members[Int(member)].evaluatedYear != Int32(year) {
                members[Int(member)].evaluatedYear = Int32(year)
                let rating = Self.ratings[random.index(weights: Self.ratingWeights)]
                members[Int(member)].excellent = rating == "excellent"
                emitRetractable("QualityEvaluated", [
                    "subjectKind": "member", "subject": memberId(member), "year": .int(Int64(year)), "rating": .string(rating),
                ], what: .evaluation, subject: -1 - member)
            }
        }
    }

    /// On 3 February, commends some of the cells and members rated excellent for the past year.
    func commend(_ committee: Int32, year: Int) {
        for cell in orgs[Int(committee)].children where !orgs[Int(cell)].dissolved {
            if orgs[Int(cell)].excellent, random.chance(perMille: 500) {
                emitRetractable("Commended", [
                    "subjectKind": "organization", "subject": code(cell), "by": code(committee),
                    "title": .string("Chi bộ hoàn thành xuất sắc nhiệm vụ năm \(year)"),
                ], what: .commendation, subject: cell)
            }
            orgs[Int(cell)].excellent = false
            for member in workingMembers(of: cell) where members[Int(member)].excellent {
                members[Int(member)].excellent = false
                guard random.chance(perMille: 400) else { continue }
                emitRetractable("Commended", [
                    "subjectKind": "member", "subject": memberId(member), "by": code(committee),
                    "title": .string("Đảng viên hoàn thành xuất sắc nhiệm vụ năm \(year)"),
                ], what: .commendation, subject: -1 - member)
            }
        }
    }

    /// A new cell: 3–5 members move in from the larger sibling cells (new admissions make up any shortfall).
    func openCell(in committee: Int32) {
        let siblings = orgs[Int(committee)].children.filter { !orgs[Int($0)].dissolved }
        guard orgs[Int(committee)].cellsCreated < 99 else { return }
        let cell = registerCell(in: committee)
        var moved = 0
        let wanted = random.int(in: 3...5)
        for donor in random.sample(siblings, count: siblings.count) where moved < wanted {
            let candidates = workingMembers(of: donor).filter { !members[Int($0)].disciplined }
            guard candidates.count >= 8 else { continue }
            transfer(random.pick(candidates), to: cell, kind: "official")
            moved += 1
        }
        while moved < 3 {
            admit(into: cell)
            moved += 1
        }
        fillSeats(of: cell)
    }

    /// Merges a cell into a sibling: everyone transfers, then the cell is dissolved. Only a cell with no open
    /// inspection and no disciplined member is merged, into a sibling that stays within 30 members.
    func mergeCell(in committee: Int32) {
        let active = orgs[Int(committee)].children.filter { !orgs[Int($0)].dissolved }
        guard active.count >= 3 else { return }
        let cell = random.pick(active)
        let roster = orgs[Int(cell)].members.sorted()
        guard orgs[Int(cell)].openInspections == 0, !roster.contains(where: { members[Int($0)].disciplined }) else { return }
        let targets = active.filter { $0 != cell && orgs[Int($0)].members.count + roster.count <= 30 }
        guard !targets.isEmpty else { return }
        let target = random.pick(targets)
        // Marked dissolved first so that no seat of the cell is refilled while its members leave.
        orgs[Int(cell)].dissolved = true
        for member in roster { transfer(member, to: target, kind: "official") }
        emit("OrganizationDissolved", [
            "code": code(cell), "reason": .string("Sáp nhập vào \(orgs[Int(target)].name) theo quyết định của Đảng ủy"),
        ])
        fillSeats(of: target)
    }

    /// Retracts an earlier event, if its cell (subject ≥ 0) or member (subject = -1 - member) is still there.
    func retract(seq: Int, what: DemoRetractable, subject: Int32) {
        if subject >= 0 {
            guard !orgs[Int(subject)].dissolved else { return }
        } else {
            guard members[Int(-1 - subject)].active else { return }
        }
        emit("EventRetracted", ["seq": .int(Int64(seq)), "reason": .string(what.reason)])
    }
}
