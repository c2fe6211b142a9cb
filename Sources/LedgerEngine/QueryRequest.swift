/// A question for the projections, with its bitemporal selection: `asOf` is
/// the business date (what was true then, as far as the ledger knows now);
/// `atSeq` is what the ledger knew after that many events.
public struct QueryRequest: Sendable {
    public enum Kind: Sendable {
        case org(code: String)
        case orgs(under: String)
        case members(org: String, includeDeparted: Bool)
        case member(id: String)
        case history(discipline: Bool, org: String?, member: String?)
        case meetings(cell: String, from: String, to: String)
        case warnings(org: String)
        case report(org: String, from: String, to: String, format: String)
    }

    public var kind: Kind
    public var asOf: String?
    public var atSeq: UInt64?

    public init(kind: Kind, asOf: String? = nil, atSeq: UInt64? = nil) {
        self.kind = kind
        self.asOf = asOf
        self.atSeq = atSeq
    }

    /// `YYYY-MM-DD` and a real calendar date.
    public static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]), (1...12).contains(m), d >= 1
        else { return false }
        let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
        return d <= [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]
    }

    /// 1–64 characters from A-Z a-z 0-9 . _ - (CONTRACT.md).
    public static func isID(_ text: String) -> Bool {
        !text.isEmpty && text.utf8.count <= 64
            && text.utf8.allSatisfy { c in
                (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
                    || c == 0x2E || c == 0x5F || c == 0x2D
            }
    }
}
