public import LedgerJSON

/// Renders the committee report (CONTRACT.md, "Reports") for people and spreadsheets.
///
/// Pure: the report JSON in, a string out. The input has the contract's keys plus
/// the engine's rendering extras (`organizationName`, `months`, `cellNames`,
/// `memberNames`, `perCell`); any extra may be missing and codes stand in for names.
/// Every output is Unicode NFC.
public enum ReportRenderer {
    /// The report as a committee office would sign it: Vietnamese, plain text,
    /// "\n" line ends.
    public static func text(_ report: JSONValue) -> String {
        renderText(ReportDocument(ReportData(report)))
    }

    /// The same content as Markdown, with a per-cell table (from `perCell`) as an appendix.
    public static func markdown(_ report: JSONValue) -> String {
        let data = ReportData(report)
        return renderMarkdown(ReportDocument(data), cells: data)
    }

    /// The per-cell table as RFC 4180 CSV: English header keys, decimal point, CRLF.
    public static func csv(_ report: JSONValue) -> String {
        renderCSV(ReportData(report))
    }
}
