import LedgerJSON
import LedgerWire

/// Typed access to a request's `args`, refusing wrong types with
/// `bad-arguments` and a message naming the argument, what was got and wanted.
struct Arguments {
    let values: [String: JSONValue]

    init(_ values: [String: JSONValue]) { self.values = values }

    private func bad(_ name: String, _ want: String) -> WireError {
        let got = values[name].map { $0.typeName } ?? "nothing"
        return WireError(.badArguments, "args.\(name) must be \(want); got \(got)")
    }

    func string(_ name: String) throws(WireError) -> String {
        guard let value = values[name]?.stringValue else { throw bad(name, "a string") }
        return value
    }

    func optionalString(_ name: String) throws(WireError) -> String? {
        guard let value = values[name], value != .null else { return nil }
        guard let text = value.stringValue else { throw bad(name, "a string") }
        return text
    }

    func optionalInt(_ name: String, min: Int64 = 0) throws(WireError) -> Int64? {
        guard let value = values[name], value != .null else { return nil }
        guard let n = value.intValue, n >= min else { throw bad(name, "an integer ≥ \(min)") }
        return n
    }

    func int(_ name: String, min: Int64 = 0) throws(WireError) -> Int64 {
        guard let n = try optionalInt(name, min: min) else { throw bad(name, "an integer ≥ \(min)") }
        return n
    }

    func bool(_ name: String, default value: Bool) throws(WireError) -> Bool {
        guard let raw = values[name], raw != .null else { return value }
        guard let b = raw.boolValue else { throw bad(name, "a boolean") }
        return b
    }

    /// A business date (`WireDate`), refused naming the argument and what is wrong.
    func date(_ name: String) throws(WireError) -> String {
        let value = try string(name)
        if let problem = WireDate.problem(value) { throw WireError(.badArguments, "args.\(name) \(problem)") }
        return value
    }

    func optionalDate(_ name: String) throws(WireError) -> String? {
        guard values[name] != nil, values[name] != .null else { return nil }
        return try date(name)
    }

    /// `from` and `to`, dates with `from` on or before `to`.
    func period() throws(WireError) -> (from: String, to: String) {
        let from = try date("from"), to = try date("to")
        guard from <= to else { throw WireError(.badArguments, "args.from (\(from)) is after args.to (\(to))") }
        return (from, to)
    }

    func array(_ name: String) throws(WireError) -> [JSONValue] {
        guard let items = values[name]?.arrayValue else { throw bad(name, "an array") }
        return items
    }
}
