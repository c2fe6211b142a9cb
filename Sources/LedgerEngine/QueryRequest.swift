import LedgerDomain

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

    /// `text` as a business date, or the `invalid` error naming the
    /// argument `name` (the server has already checked it with `WireDate`;
    /// this is for callers in process).
    static func businessDate(_ text: String, _ name: String) throws -> BusinessDate {
        guard let date = BusinessDate(text) else {
            throw EngineError(.invalid, "\(name) must be a real date YYYY-MM-DD between \(DomainLimits.dateYearMin)-01-01 "
                + "and \(DomainLimits.dateYearMax)-12-31; got '\(text)'")
        }
        return date
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
