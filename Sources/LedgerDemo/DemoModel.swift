public import LedgerJSON

/// The generator's own record of a ledger, kept to answer the contract's
/// report independently of the ledger's projection code: a test oracle.
///
/// It reads submissions (`{"type","occurredOn","data"}`) in the order the
/// ledger accepted them, so the k-th applied submission has `seq` k — true
/// for a fresh ledger fed the stream in order. `DemoGenerator` applies its
/// events as they are consumed; a test can also apply hand-written events.
/// Submissions are trusted to be valid (the ledger accepted them): ones the
/// model cannot read are counted for `seq` and otherwise ignored.
///
/// Every fact keeps its business date and seq, so a report can ask for the
/// state on any date and skip retracted events of any kind. Memory: about
/// 40 bytes per meeting, inspection or discipline, 16 per task, member state
/// change or retraction, plus ~150 per member and organization — a 1 M event
/// model takes some tens of MB. Not thread-safe: use from one task at a time.
public final class DemoModel {
    /// A fact's business date (day number) and seq.
    struct Stamp {
        var day: Int32
        var seq: Int32
    }

    struct Org {
        var code: String
        var isCell: Bool
        var parent: Int32
        var registered: Stamp
        var dissolved: [Stamp] = []
    }

    struct Member {
        var id: String
        var joined: Stamp
        var cells: [(stamp: Stamp, cell: Int32)]
        var left: [Stamp] = []
        var retired: [Stamp] = []
        var tasks: [Stamp] = []
    }

    struct Meeting {
        var stamp: Stamp
        var cell: Int32
        var regular: Bool
        var minutesRecorded: Bool
        var attendees: Int32
        var absentees: Int32
        var speakers: Int32
        var durationMinutes: Int32
    }

    struct Inspection {
        var stamp: Stamp
        var supervision: Bool
        var targets: [Int32]
    }

    struct Discipline {
        var stamp: Stamp
        var form: String
        /// A member index, or an organization index when `onOrganization`.
        var subject: Int32
        var onOrganization: Bool
    }

    var orgs: [Org] = []
    var orgIndex: [String: Int32] = [:]
    var members: [Member] = []
    var memberIndex: [String: Int32] = [:]
    var meetings: [Meeting] = []
    var inspections: [Inspection] = []
    var disciplines: [Discipline] = []
    var retracted: Set<Int32> = []

    /// Submissions applied so far: the seq of the last one.
    public private(set) var eventCount = 0
    /// The earliest and latest `occurredOn` seen (nil before the first event).
    public private(set) var firstDate: String?
    public private(set) var lastDate: String?
    private var firstDay = Int.max
    private var lastDay = Int.min

    public init() {}

    /// Forgets everything (a fresh ledger).
    public func reset() {
        orgs = []; orgIndex = [:]; members = []; memberIndex = [:]
        meetings = []; inspections = []; disciplines = []; retracted = []
        eventCount = 0; firstDate = nil; lastDate = nil; firstDay = .max; lastDay = .min
    }

    /// The code of the first bloc registered ("" if none).
    public var blocCode: String { orgs.first { !$0.isCell && $0.parent < 0 }?.code ?? "" }
    /// Committees (organizations with a parent that are not cells), in registration order.
    public var committeeCodes: [String] { orgs.filter { !$0.isCell && $0.parent >= 0 }.map(\.code) }
    /// Cells, in registration order (dissolved ones included).
    public var cellCodes: [String] { orgs.filter(\.isCell).map(\.code) }
    /// Every member ever registered or admitted, in that order.
    public var memberIds: [String] { members.map(\.id) }

    /// Records the next accepted submission; its seq is `eventCount` afterwards.
    public func apply(_ submission: JSONValue) {
        eventCount += 1
        guard let type = submission["type"]?.stringValue, let date = submission["occurredOn"]?.stringValue,
            let day = DemoCalendar.parse(date), let data = submission["data"], data.objectValue != nil
        else { return }
        if day < firstDay { firstDay = day; firstDate = date }
        if day > lastDay { lastDay = day; lastDate = date }
        record(type, data, Stamp(day: Int32(day), seq: Int32(eventCount)))
    }

    private func record(_ type: String, _ data: JSONValue, _ stamp: Stamp) {
        let member = data["memberId"]?.stringValue.flatMap { memberIndex[$0] }
        switch type {
        case "OrganizationRegistered":
            guard let code = data["code"]?.stringValue, orgIndex[code] == nil else { return }
            let parent = data["parent"]?.stringValue.flatMap { orgIndex[$0] } ?? -1
            orgIndex[code] = Int32(orgs.count)
            orgs.append(Org(code: code, isCell: data["kind"]?.stringValue == "cell", parent: parent, registered: stamp))
        case "OrganizationDissolved":
            if let org = data["code"]?.stringValue.flatMap({ orgIndex[$0] }) { orgs[Int(org)].dissolved.append(stamp) }
        case "MemberRegistered", "MemberAdmitted":
            guard let id = data["memberId"]?.stringValue, memberIndex[id] == nil,
                let cell = data["cell"]?.stringValue.flatMap({ orgIndex[$0] })
            else { return }
            memberIndex[id] = Int32(members.count)
            members.append(Member(id: id, joined: stamp, cells: [(stamp, cell)]))
        case "MemberTransferred":
            if let member, let cell = data["toCell"]?.stringValue.flatMap({ orgIndex[$0] }) {
                members[Int(member)].cells.append((stamp, cell))
            }
        case "MemberRetired":
            if let member { members[Int(member)].retired.append(stamp) }
        case "MemberTransferredToResidence", "MemberRemoved":
            if let member { members[Int(member)].left.append(stamp) }
        case "MemberTaskAssigned":
            if let member { members[Int(member)].tasks.append(stamp) }
        case "MeetingHeld":
            recordMeeting(data, stamp)
        case "InspectionFiled":
            let targets = data["targetOrganizations"]?.arrayValue?.compactMap { $0.stringValue.flatMap { orgIndex[$0] } } ?? []
            inspections.append(Inspection(stamp: stamp, supervision: data["kind"]?.stringValue == "supervision", targets: targets))
        case "DisciplineImposed":
            recordDiscipline(data, stamp)
        case "EventRetracted":
            if let seq = data["seq"]?.intValue, seq > 0, seq <= Int64(Int32.max) { retracted.insert(Int32(seq)) }
        default:
            break
        }
    }

    private func recordMeeting(_ data: JSONValue, _ stamp: Stamp) {
        guard let cell = data["cell"]?.stringValue.flatMap({ orgIndex[$0] }) else { return }
        meetings.append(Meeting(
            stamp: stamp, cell: cell, regular: data["kind"]?.stringValue == "regular",
            minutesRecorded: data["minutesRecorded"]?.boolValue ?? false,
            attendees: Int32(data["attendees"]?.arrayValue?.count ?? 0),
            absentees: Int32(data["absentees"]?.arrayValue?.count ?? 0),
            speakers: Int32(data["speakers"]?.arrayValue?.count ?? 0),
            durationMinutes: Int32(clamping: data["durationMinutes"]?.intValue ?? 0)))
    }

    /// A discipline counts by its form; an expulsion also removes the member, a dissolution dissolves the organization.
    private func recordDiscipline(_ data: JSONValue, _ stamp: Stamp) {
        guard let form = data["form"]?.stringValue, let subject = data["subject"]?.stringValue else { return }
        let onOrganization = data["subjectKind"]?.stringValue == "organization"
        guard let index = onOrganization ? orgIndex[subject] : memberIndex[subject] else { return }
        disciplines.append(Discipline(stamp: stamp, form: form, subject: index, onOrganization: onOrganization))
        if onOrganization, form == "dissolution" { orgs[Int(index)].dissolved.append(stamp) }
        if !onOrganization, form == "expulsion" { members[Int(index)].left.append(stamp) }
    }
}
