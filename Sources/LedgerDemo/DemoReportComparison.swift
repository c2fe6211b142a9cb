public import LedgerJSON

/// Compares a report the ledger produced with the one `DemoModel` expects,
/// for tests and the demo: one readable line per difference.
public enum DemoReportComparison {
    /// The differences between `expected` (from `DemoModel.expectedReport`) and
    /// `actual`, as "key: expected X, got Y"; empty when they agree.
    ///
    /// - Every top-level key of `expected` must be in `actual`; `actual` may
    ///   have more (the contract says "at least these keys").
    /// - Numbers compare by value, within 1e-9: `.int(75)` equals `.double(75.0)`
    ///   (a parser that reads `75.0` as an integer, or a report that prints
    ///   `75`, still agrees).
    /// - Arrays compare in order (the contract sorts its lists).
    /// - Inside nested objects (`disciplines`), a key missing on one side
    ///   equals a zero on the other.
    public static func differences(expected: JSONValue, actual: JSONValue) -> [String] {
        guard let wanted = expected.objectValue, let got = actual.objectValue else {
            return equal(expected, actual) ? [] : ["report: expected \(describe(expected)), got \(describe(actual))"]
        }
        var found: [String] = []
        for key in wanted.keys.sorted() {
            guard let value = got[key] else {
                found.append("\(key): missing")
                continue
            }
            compare(wanted[key]!, value, path: key, into: &found)
        }
        return found
    }

    private static func compare(_ expected: JSONValue, _ actual: JSONValue, path: String, into found: inout [String]) {
        switch (expected, actual) {
        case (.object(let wanted), .object(let got)):
            for key in Set(wanted.keys).union(got.keys).sorted() {
                compare(wanted[key] ?? .int(0), got[key] ?? .int(0), path: "\(path).\(key)", into: &found)
            }
        case (.array(let wanted), .array(let got)) where wanted.count == got.count:
            for index in wanted.indices { compare(wanted[index], got[index], path: "\(path)[\(index)]", into: &found) }
        default:
            if !equal(expected, actual) { found.append("\(path): expected \(describe(expected)), got \(describe(actual))") }
        }
    }

    private static func number(_ value: JSONValue) -> Double? {
        switch value {
        case .int(let integer): return Double(integer)
        case .double(let double): return double
        default: return nil
        }
    }

    private static func equal(_ expected: JSONValue, _ actual: JSONValue) -> Bool {
        if let left = number(expected), let right = number(actual) { return abs(left - right) <= 1e-9 }
        return expected == actual
    }

    /// A short JSON-like rendering for messages (not canonical JSON).
    static func describe(_ value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool(let bool): return String(bool)
        case .int(let integer): return String(integer)
        case .double(let double): return String(double)
        case .string(let string): return "\"\(string)\""
        case .array(let items):
            let shown = items.prefix(8).map(describe).joined(separator: ",")
            return "[" + shown + (items.count > 8 ? ",… (\(items.count) items)" : "") + "]"
        case .object(let object):
            return "{" + object.keys.sorted().map { "\($0):\(describe(object[$0]!))" }.joined(separator: ",") + "}"
        }
    }
}
