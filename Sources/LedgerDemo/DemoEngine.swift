import LedgerJSON

/// The simulation behind `DemoGenerator`'s iterator: a day-ordered walk
/// through the configured months. Each month's actions are planned when the
/// month starts (plus what earlier months scheduled for it), sorted by day,
/// and carried out one at a time; each action re-checks the state and emits
/// zero or more events into a small queue. Memory: organizations, members,
/// one month of planned actions, and actions scheduled ahead (at most a few
/// per member) — never the events already delivered.
final class DemoEngine {
    let configuration: DemoConfiguration
    let model: DemoModel?
    var random: DemoRandom

    var orgs: [DemoOrg] = []
    var members: [DemoMember] = []
    var committees: [Int32] = []
    let bloc: Int32 = 0

    var inspections: [Int32: DemoInspection] = [:]
    var nextInspectionKey: Int32 = 0
    var disciplines: [Int32: DemoDiscipline] = [:]
    var nextDisciplineKey: Int32 = 0
    var disciplinesImposed = 0

    // Output: events emitted but not yet delivered; `appended` is the seq of the last one emitted.
    private var queue: [JSONValue] = []
    private var queueHead = 0
    private(set) var appended = 0
    private(set) var delivered = 0

    // Time.
    let startDay: Int
    let startMonthKey: Int
    /// -1 while the start date's registrations are made (`setupStep` 0 = the bloc, then one committee a step).
    private(set) var monthIndex = -1
    private var setupStep = 0
    private var actions: [DemoAction] = []
    private var actionHead = 0
    private var scheduled: [Int: [DemoAction]] = [:]
    private var orderCounter: Int32 = 0
    private(set) var today: Int
    private var todayString: String

    init(configuration: DemoConfiguration, model: DemoModel?) {
        let problems = configuration.problems
        precondition(problems.isEmpty, "DemoConfiguration: " + problems.joined(separator: "; "))
        self.configuration = configuration
        self.model = model
        random = DemoRandom(seed: configuration.seed)
        startDay = DemoCalendar.parse(configuration.startDate)!
        startMonthKey = DemoCalendar.monthKey(startDay)
        today = startDay
        todayString = configuration.startDate
    }

    /// The next event of the stream, or nil at its end.
    func next() -> JSONValue? {
        if let limit = configuration.eventLimit, delivered >= limit { return nil }
        while queueHead == queue.count {
            queue.removeAll(keepingCapacity: true)
            queueHead = 0
            if !advance() { return nil }
        }
        let event = queue[queueHead]
        queue[queueHead] = .null
        queueHead += 1
        delivered += 1
        model?.apply(event)
        return event
    }

    /// Does one more step (the setup, one action, or planning the next month); false at the end.
    private func advance() -> Bool {
        if actionHead < actions.count {
            let action = actions[actionHead]
            actionHead += 1
            setToday(Int(action.day))
            perform(action.kind)
            return true
        }
        if setupStep <= configuration.committees {
            setUp(step: setupStep)
            setupStep += 1
            return true
        }
        monthIndex += 1
        guard monthIndex < configuration.months else { return false }
        planMonth(monthIndex)
        return true
    }

    private func setToday(_ day: Int) {
        if day != today {
            precondition(day > today, "DemoEngine: actions must not go back in time (\(day) < \(today))")
            today = day
            todayString = DemoCalendar.string(day)
        }
    }

    // MARK: Emitting

    /// Emits one submission dated today; returns its seq (its 1-based position in the stream).
    @discardableResult
    func emit(_ type: String, _ data: [String: JSONValue]) -> Int {
        appended += 1
        var submission: [String: JSONValue] = ["type": .string(type), "occurredOn": .string(todayString), "data": .object(data)]
        if configuration.idempotencyKeys {
            submission["idempotencyKey"] = .string("demo-\(configuration.seed)-\(appended)")
        }
        queue.append(.object(submission))
        return appended
    }

    /// Emits a retractable event, and perhaps schedules its retraction for next month.
    func emitRetractable(_ type: String, _ data: [String: JSONValue], what: DemoRetractable, subject: Int32) {
        let seq = emit(type, data)
        if random.chance(perMillion: configuration.retractionsPerMillion) {
            schedule(.retract(seq: seq, what: what, subject: subject), monthsAhead: 1)
        }
    }

    // MARK: Planning

    /// The month index (0 = the start month) of today.
    var currentMonth: Int { max(monthIndex, 0) }

    /// Schedules an action on a random day `monthsAhead` (≥ 1 once months are running) months from now.
    func schedule(_ kind: DemoActionKind, monthsAhead: Int, days: ClosedRange<Int> = 1...28) {
        let month = monthIndex < 0 ? monthsAhead : monthIndex + max(monthsAhead, 1)
        guard month < configuration.months else { return }
        let action = DemoAction(day: Int32(dayIn(month: month, days: days)), order: nextOrder(), kind: kind)
        scheduled[month, default: []].append(action)
    }

    private func nextOrder() -> Int32 {
        orderCounter &+= 1
        return orderCounter
    }

    /// A random day of a month (by index), within `days` of the month, never before the start date.
    func dayIn(month: Int, days: ClosedRange<Int>) -> Int {
        let (first, last) = DemoCalendar.bounds(monthKey: startMonthKey + month)
        let lastDay = min(days.upperBound, last - first + 1)
        let firstDay = min(days.lowerBound, lastDay)
        return max(first + random.int(in: firstDay...lastDay) - 1, startDay)
    }

    private func plan(_ kind: DemoActionKind, month: Int, days: ClosedRange<Int> = 1...31) {
        actions.append(DemoAction(day: Int32(dayIn(month: month, days: days)), order: nextOrder(), kind: kind))
    }

    /// Plans a month: meetings and chance events per cell, inspections per committee, yearly rounds.
    private func planMonth(_ month: Int) {
        actions = scheduled.removeValue(forKey: month) ?? []
        actionHead = 0
        let monthOfYear = (startMonthKey + month) % 12 + 1
        let year = Int32((startMonthKey + month) / 12)
        for committee in committees {
            for cell in orgs[Int(committee)].children where !orgs[Int(cell)].dissolved {
                planCell(cell, month: month, monthOfYear: monthOfYear)
            }
            if random.chance(perMille: 300) { plan(.inspect(by: committee), month: month) }
            if random.chance(perMille: 4) { plan(.newCell(committee: committee), month: month) }
            if random.chance(perMille: 3) { plan(.merge(committee: committee), month: month) }
            if monthOfYear == 12 { plan(.evaluate(committee: committee, year: year), month: month, days: 15...27) }
            if monthOfYear == 2 { plan(.commend(committee: committee, year: year - 1), month: month, days: 3...3) }
        }
        if random.chance(perMille: 250) { plan(.inspect(by: bloc), month: month) }
        actions.sort { ($0.day, $0.order) < ($1.day, $1.order) }
    }

    private func planCell(_ cell: Int32, month: Int, monthOfYear: Int) {
        let org = orgs[Int(cell)]
        if !random.chance(perMille: org.missPerMille) { plan(.regularMeeting(cell: cell), month: month, days: 2...10) }
        if (monthOfYear - 1) % 3 == org.thematicMonth, random.chance(perMille: 880) {
            plan(.thematicMeeting(cell: cell), month: month, days: 12...26)
        }
        if random.chance(perMille: 25) { plan(.admit(cell: cell), month: month) }
        if random.chance(perMille: 12) { plan(.transfer(cell: cell), month: month) }
        if random.chance(perMille: 90) { plan(.taskInCell(cell: cell), month: month) }
        if random.chance(perMille: 50) { plan(.training(cell: cell), month: month) }
        if random.chance(perMillion: 100 * org.members.count) { plan(.death(cell: cell), month: month) }
    }

    private func perform(_ kind: DemoActionKind) {
        switch kind {
        case .regularMeeting(let cell): holdMeeting(cell, regular: true)
        case .thematicMeeting(let cell): holdMeeting(cell, regular: false)
        case .admit(let cell): admit(into: cell)
        case .transfer(let cell): transferSomeone(from: cell)
        case .taskInCell(let cell): assignTaskInCell(cell)
        case .training(let cell): trainSome(in: cell)
        case .death(let cell): recordDeath(in: cell)
        case .task(let member): assignTask(member)
        case .newMemberTraining(let member): train(member, course: DemoVocabulary.newMemberCourse)
        case .confirm(let member): confirm(member)
        case .retire(let member): retire(member)
        case .residence(let member): transferToResidence(member)
        case .inspect(let by): fileInspection(by: by)
        case .conclude(let inspection): conclude(inspection)
        case .disciplineMember(let member, let inspection): discipline(member: member, inspection: inspection)
        case .disciplineCell(let cell, let inspection): discipline(cell: cell, inspection: inspection)
        case .appeal(let key): appeal(key)
        case .revise(let key): revise(key)
        case .evaluate(let committee, let year): evaluate(committee, year: Int(year))
        case .commend(let committee, let year): commend(committee, year: Int(year))
        case .newCell(let committee): openCell(in: committee)
        case .merge(let committee): mergeCell(in: committee)
        case .retract(let seq, let what, let subject): retract(seq: seq, what: what, subject: subject)
        }
    }
}
