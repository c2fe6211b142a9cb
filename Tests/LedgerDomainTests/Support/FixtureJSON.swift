import Foundation
import LedgerJSON

/// Test-only bridge from Foundation's JSONSerialization to `JSONValue` (the
/// strict LedgerJSON parser lives on another branch). Booleans stay booleans,
/// integers become `.int`, anything with a fraction or exponent `.double`, so
/// the domain decoder sees floats exactly as the real parser would report them.
enum FixtureJSON {
    static func parse(_ data: Data) throws -> JSONValue {
        let object = try JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
        return convert(object)
    }

    static func convert(_ any: Any) -> JSONValue {
        switch any {
        case is NSNull: return .null
        case let s as String: return .string(s)
        case let n as NSNumber:
            // JSONSerialization gives booleans as __NSCFBoolean (objCType "c"),
            // integers as "i"/"q", numbers with a fraction or exponent as "d".
            let type = String(cString: n.objCType)
            if type == "c" || type == "B" { return .bool(n.boolValue) }
            if type == "d" || type == "f" { return .double(n.doubleValue) }
            return .int(n.int64Value)
        case let a as [Any]: return .array(a.map(convert))
        case let o as [String: Any]: return .object(o.mapValues(convert))
        default: fatalError("unexpected JSON value \(any)")
        }
    }

    /// The directory of the test fixtures (copied as a resource).
    static var fixturesURL: URL {
        Bundle.module.url(forResource: "Fixtures", withExtension: nil)!
    }

    /// Every `*.json` file directly in `Fixtures/<folder>`, sorted by name.
    static func files(in folder: String) -> [URL] {
        let dir = fixturesURL.appendingPathComponent(folder)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        return names.filter { $0.hasSuffix(".json") }.sorted().map { dir.appendingPathComponent($0) }
    }
}
