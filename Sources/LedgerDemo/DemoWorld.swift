// The generator's working state: organizations and members as they stand on
// the day being generated. Memory is proportional to organizations and
// members; open inspections and disciplines are dropped once finished.

enum DemoKind: UInt8 { case bloc, committee, cell }

enum DemoRole: String, CaseIterable {
    case secretary
    case deputySecretary = "deputy-secretary"
    case committeeMember = "committee-member"
}

/// A role an organization keeps filled, and who holds it (-1: vacant).
struct DemoSeat {
    var role: DemoRole
    var holder: Int32 = -1
}

struct DemoOrg {
    var code: String
    var name: String
    var kind: DemoKind
    var parent: Int32
    var dissolved = false
    /// Cells of a committee (or of the bloc: committees), in creation order.
    var children: [Int32] = []
    /// Members of a cell, active ones only (retirees included until they leave).
    var members: [Int32] = []
    var seats: [DemoSeat] = []
    /// Cells: how often regular meetings are missed, per mille; which month of a quarter is thematic.
    var missPerMille = 0
    var thematicMonth = 0
    /// Cells: inspections filed against it and not yet concluded (a cell is not merged away while > 0).
    var openInspections = 0
    /// Cells: rated excellent in the last evaluation (commended in February).
    var excellent = false
    /// Committees: names used for cells so far; inspections filed so far.
    var cellsCreated = 0
    var inspectionsFiled = 0
}

struct DemoMember {
    var id: String
    var cell: Int32
    var official: Bool
    var active = true
    var retired = false
    /// Some members are never given a task (the report lists them).
    var neverTask = false
    /// Disciplined members are never transferred afterwards, so "the member's
    /// cell" is the same on the discipline's date and later.
    var disciplined = false
    var excellent = false
    /// The last year the member was evaluated: once a year, even if they move to another committee in December.
    var evaluatedYear: Int32 = 0
    var roles: [(org: Int32, role: DemoRole)] = []

    /// Working: active and not retired. Only working members attend meetings,
    /// get tasks, trainings, evaluations and roles.
    var working: Bool { active && !retired }
}

/// An inspection between filing and conclusion.
struct DemoInspection {
    var id: String
    var kind: String
    var by: Int32
    var targetCells: [Int32]
    var targetMembers: [Int32]
}

/// A discipline that may still be appealed and revised.
struct DemoDiscipline {
    var id: String
    var form: String
    /// A member index, or an organization index when `onOrganization`.
    var subject: Int32
    var onOrganization: Bool
}

enum DemoRetractable: UInt8 {
    case meeting, task, evaluation, commendation, training

    var reason: String {
        switch self {
        case .meeting: return "Ghi nhầm ngày họp"
        case .task: return "Ghi nhầm đảng viên được phân công nhiệm vụ"
        case .evaluation: return "Nhập sai kết quả đánh giá, xếp loại"
        case .commendation: return "Ghi nhầm danh hiệu khen thưởng"
        case .training: return "Nhập trùng kết quả bồi dưỡng"
        }
    }
}

/// Something to do on a day: planned at the start of a month (or scheduled
/// months ahead), checked against the state again when it is done.
enum DemoActionKind {
    case regularMeeting(cell: Int32)
    case thematicMeeting(cell: Int32)
    case admit(cell: Int32)
    case transfer(cell: Int32)
    case taskInCell(cell: Int32)
    case training(cell: Int32)
    case death(cell: Int32)
    case task(member: Int32)
    case newMemberTraining(member: Int32)
    case confirm(member: Int32)
    case retire(member: Int32)
    case residence(member: Int32)
    case inspect(by: Int32)
    case conclude(inspection: Int32)
    case disciplineMember(member: Int32, inspection: String)
    case disciplineCell(cell: Int32, inspection: String)
    case appeal(discipline: Int32)
    case revise(discipline: Int32)
    case evaluate(committee: Int32, year: Int32)
    case commend(committee: Int32, year: Int32)
    case newCell(committee: Int32)
    case merge(committee: Int32)
    case retract(seq: Int, what: DemoRetractable, subject: Int32)
}

struct DemoAction {
    var day: Int32
    var order: Int32
    var kind: DemoActionKind
}
