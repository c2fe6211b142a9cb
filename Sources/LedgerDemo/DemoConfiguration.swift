/// What the demo generator makes: how big, from when, for how long, and from
/// which seed. Two generators with equal configurations produce identical
/// event streams, byte for byte.
///
/// Sizes: one bloc (`DBK`), `committees` committees (`DB01`, `DB02`, …), each
/// with a number of cells drawn from `cellsPerCommittee` (`DB01-CB01`, …),
/// each with a number of members drawn from `membersPerCell` (`DV000001`, …).
/// Over `months` months every cell holds (most) monthly meetings and about one
/// thematic meeting a quarter, admits, transfers and loses members, is
/// inspected and supervised, evaluated in December and commended in February.
/// Roughly 5–6 events per cell and month follow the initial registrations;
/// `sized(events:seed:)` picks sizes for a target count.
public struct DemoConfiguration: Sendable, Hashable {
    /// The seed of the generator's SplitMix64 stream.
    public var seed: UInt64
    /// Committees under the bloc at the start (at least 1).
    public var committees: Int
    /// Cells per committee at the start (lower bound at least 1, upper at most 99).
    public var cellsPerCommittee: ClosedRange<Int>
    /// Members per cell at the start, within 3...30.
    public var membersPerCell: ClosedRange<Int>
    /// The business date of the first event, `YYYY-MM-DD`. Everything existing
    /// at the start is registered on this date.
    public var startDate: String
    /// Calendar months of history, counting the month of `startDate` (1...1200).
    public var months: Int
    /// If set, the stream stops after this many events (a valid prefix: every
    /// event refers only to events before it).
    public var eventLimit: Int?
    /// Probability, per million, that a retractable event (a meeting, a task, a
    /// quality evaluation, a commendation, a training) is retracted the next month.
    public var retractionsPerMillion: Int
    /// Give every submission an `idempotencyKey` (`demo-<seed>-<position>`), so
    /// that appending the stream again after an interruption appends nothing twice.
    public var idempotencyKeys: Bool
    /// Record what is generated in the generator's `DemoModel` (memory grows
    /// with the events: turn it off for multi-million-event benchmark streams,
    /// where the generator itself then needs memory only for organizations
    /// and members).
    public var recordsModel: Bool

    public init(
        seed: UInt64,
        committees: Int = 3,
        cellsPerCommittee: ClosedRange<Int> = 3...6,
        membersPerCell: ClosedRange<Int> = 5...25,
        startDate: String = "2024-01-01",
        months: Int = 24,
        eventLimit: Int? = nil,
        retractionsPerMillion: Int = 3_000,
        idempotencyKeys: Bool = false,
        recordsModel: Bool = true
    ) {
        self.seed = seed
        self.committees = committees
        self.cellsPerCommittee = cellsPerCommittee
        self.membersPerCell = membersPerCell
        self.startDate = startDate
        self.months = months
        self.eventLimit = eventLimit
        self.retractionsPerMillion = retractionsPerMillion
        self.idempotencyKeys = idempotencyKeys
        self.recordsModel = recordsModel
    }

    /// A configuration for about `events` events (exactly `events` through
    /// `eventLimit` whenever the simulated history holds that many, which the
    /// sizing aims to overshoot slightly), with history ending in October 2026.
    /// Small targets get a year of history, large ones up to five years; the
    /// number of committees grows with the target. The model is recorded only
    /// up to 2 M events.
    public static func sized(events: Int, seed: UInt64) -> DemoConfiguration {
        precondition(events > 0, "DemoConfiguration.sized: events \(events) must be positive")
        let months: Int
        switch events {
        case ..<20_000: months = 12
        case ..<200_000: months = 24
        case ..<2_000_000: months = 36
        default: months = 60
        }
        let cells = 3...12, members = 5...25
        // Measured (release runs of 50 k–3 M events, history ending in October): a cell of ~15 members makes
        // ~19 events on the start date, ~11 more for first tasks, ~1.7 a month, and ~16 a year in the
        // December evaluations and February commendations: about 30 + 3.1 a month. With 7.5 cells a
        // committee, in tenths of an event:
        let perCommitteeTenths = 15 * (300 + 31 * months) / 2
        let wanted = events + events / 32 + 1_500  // the absolute margin covers small samples
        let committees = max(1, (wanted * 10 + perCommitteeTenths - 1) / perCommitteeTenths)
        let endKey = 2026 * 12 + 10  // November 2026, the month after the history
        let startKey = endKey - months
        let start = DemoCalendar.string(DemoCalendar.day(year: startKey / 12, month: startKey % 12 + 1, day: 1))
        return DemoConfiguration(
            seed: seed, committees: committees, cellsPerCommittee: cells, membersPerCell: members,
            startDate: start, months: months, eventLimit: events, recordsModel: events <= 2_000_000)
    }

    /// What is wrong with this configuration, one sentence each; empty when it
    /// can be generated. `DemoGenerator` refuses (traps on) a configuration
    /// with problems, so check this first when the values come from a user.
    public var problems: [String] {
        var found: [String] = []
        if committees < 1 || committees > 100_000 { found.append("committees \(committees) must be within 1...100000") }
        if cellsPerCommittee.lowerBound < 1 || cellsPerCommittee.upperBound > 99 {
            found.append("cellsPerCommittee \(cellsPerCommittee) must lie within 1...99")
        }
        if membersPerCell.lowerBound < 3 || membersPerCell.upperBound > 30 {
            found.append("membersPerCell \(membersPerCell) must lie within 3...30")
        }
        if let day = DemoCalendar.parse(startDate) {
            let year = DemoCalendar.civil(day).year
            if year < 1930 || year > 2200 { found.append("startDate \(startDate) must be within the years 1930...2200") }
        } else {
            found.append("startDate \(startDate) is not a valid YYYY-MM-DD date")
        }
        if months < 1 || months > 1200 { found.append("months \(months) must be within 1...1200") }
        if let limit = eventLimit, limit < 0 { found.append("eventLimit \(limit) must not be negative") }
        if retractionsPerMillion < 0 || retractionsPerMillion > 100_000 {
            found.append("retractionsPerMillion \(retractionsPerMillion) must be within 0...100000")
        }
        return found
    }
}
