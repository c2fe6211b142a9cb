import ArgumentParser
import LedgerJSON

struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The committee report for the cells under an organization over a period.",
        discussion: """
            Covers the cells under --org (or --org itself if it is a cell) registered on or before \
            --to and not dissolved before --from. Only events that occurred in [--from, --to] count; \
            retracted events never. Months are the calendar months wholly inside the period.

            --json prints the contract's keys (organization, from, to, cells, members, \
            regularMeetings, thematicMeetings, cellsMeetingMonthly, cellsMissingMeetings, \
            attendanceRate, speakerRate, averageDurationMinutes, minutesRecordedRate, \
            inspectedCells, supervisedCells, inspections, supervisions, disciplines, \
            retireesPendingTransfer, membersWithoutTask). Without it, a report in Vietnamese as a \
            committee office would write it; --format markdown or csv (the per-cell table) too.

            Examples:
              ledgerctl report --org DB01 --from 2025-01-01 --to 2025-12-31
              ledgerctl report --org DB01 --from 2025-01-01 --to 2025-12-31 \\
                --format csv --excel > bao-cao.csv
            """)

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, markdown, csv }

    @OptionGroup var connection: ConnectionOptions
    @Option(help: ArgumentHelp("The organization's code.", valueName: "code")) var org: String
    @Option(help: ArgumentHelp("First day of the period (YYYY-MM-DD).", valueName: "date")) var from: String
    @Option(help: ArgumentHelp("Last day of the period (YYYY-MM-DD).", valueName: "date")) var to: String
    @Option(help: "text, markdown or csv (ignored with --json).") var format: Format = .text
    @Flag(name: .customLong("excel"),
          help: "With --format csv: for Excel with Vietnamese regional settings (';' between fields, decimal commas, a UTF-8 byte-order mark, text Excel would run as a formula behind an apostrophe).")
    var excel = false
    @OptionGroup var time: TimeOptions
    @OptionGroup var output: OutputOptions

    func validate() throws {
        guard Validation.isID(org) else { throw ValidationError("--org wants a code of 1–64 characters A-Z a-z 0-9 . _ -; got '\(org)'") }
        try Validation.requireDate(from, "--from")
        try Validation.requireDate(to, "--to")
        guard from <= to else { throw ValidationError("--from (\(from)) is after --to (\(to))") }
        if excel && format != .csv { throw ValidationError("--excel applies to --format csv only") }
        if time.asOf != nil {
            throw ValidationError(
                "a report covers --from to --to: --as-of does not apply (end the period at that date; "
                    + "--at-seq N for what the ledger knew after N events)")
        }
    }

    func run() throws {
        var args = time.args
        args["org"] = .string(org)
        args["from"] = .string(from)
        args["to"] = .string(to)
        args["format"] = .string(output.json ? "json" : format.rawValue)
        let result = try Session.call(connection, "report", args)
        if output.json { return Output.json(result) }
        let text = result["text"]?.stringValue ?? ""
        Output.lineRaw(excel ? ExcelCSV.rewrite(text) : text)
    }
}
