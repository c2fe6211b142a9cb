import LedgerJSON

/// Reads one JSON object strictly: refuses fields it does not know, then reads
/// each field with its type and limits, naming the JSON path in every error.
///
/// Checks happen in a fixed order (unexpected fields first, sorted by name;
/// then the fields in the order the reader asks for them), so one bad input
/// always gives the same error.
struct FieldReader {
    let path: String
    let object: [String: JSONValue]

    /// Precondition-free: throws `wrong-type` unless `value` is an object and
    /// `unexpected-field` for the first (sorted) key not in `allowed`.
    /// `path` is the JSON path of the object ("data", "data.absentees[2]"), or "" for
    /// the submitted event itself (whose fields are named bare: "type", "occurredOn").
    init(_ value: JSONValue, path: String, allowed: [String]) throws(DomainError) {
        guard case .object(let object) = value else {
            throw Decode.wrongType(value, path: path.isEmpty ? "$" : path, want: "object")
        }
        // Sorting is for a stable error; the common case (all known) needs none.
        if object.keys.contains(where: { !allowed.contains($0) }),
           let key = object.keys.sorted().first(where: { !allowed.contains($0) })
        {
            throw DomainError(
                .unexpectedField,
                "\(path.isEmpty ? "the event" : path) has a field '\(key)' it does not have; allowed: \(allowed.joined(separator: ", "))",
                field: path.isEmpty ? key : "\(path).\(key)")
        }
        self.path = path
        self.object = object
    }

    func fieldPath(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    func has(_ key: String) -> Bool { object[key] != nil }

    func required(_ key: String) throws(DomainError) -> JSONValue {
        guard let value = object[key] else {
            throw DomainError(.missingField, "\(path.isEmpty ? "the event" : path) needs the field '\(key)'", field: fieldPath(key))
        }
        return value
    }

    func id(_ key: String) throws(DomainError) -> String { try Decode.id(required(key), path: fieldPath(key)) }
    func name(_ key: String) throws(DomainError) -> String { try Decode.name(required(key), path: fieldPath(key)) }
    func text(_ key: String) throws(DomainError) -> String { try Decode.text(required(key), path: fieldPath(key)) }
    func date(_ key: String) throws(DomainError) -> BusinessDate { try Decode.date(required(key), path: fieldPath(key)) }
    func bool(_ key: String) throws(DomainError) -> Bool { try Decode.bool(required(key), path: fieldPath(key)) }

    func int(_ key: String, _ range: ClosedRange<Int64>) throws(DomainError) -> Int64 {
        try Decode.int(required(key), path: fieldPath(key), range: range)
    }

    func enumeration<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) throws(DomainError) -> E
    where E.RawValue == String {
        try Decode.enumeration(required(key), path: fieldPath(key), type)
    }

    func optionalId(_ key: String) throws(DomainError) -> String? {
        guard let v = object[key] else { return nil }
        return try Decode.id(v, path: fieldPath(key))
    }
    func optionalText(_ key: String) throws(DomainError) -> String? {
        guard let v = object[key] else { return nil }
        return try Decode.text(v, path: fieldPath(key))
    }
    func optionalDate(_ key: String) throws(DomainError) -> BusinessDate? {
        guard let v = object[key] else { return nil }
        return try Decode.date(v, path: fieldPath(key))
    }
    func optionalInt(_ key: String, _ range: ClosedRange<Int64>) throws(DomainError) -> Int64? {
        guard let v = object[key] else { return nil }
        return try Decode.int(v, path: fieldPath(key), range: range)
    }
    func optionalEnumeration<E: RawRepresentable & CaseIterable>(_ key: String, _ type: E.Type) throws(DomainError)
        -> E? where E.RawValue == String
    {
        guard let v = object[key] else { return nil }
        return try Decode.enumeration(v, path: fieldPath(key), type)
    }

    /// A list of ids with no duplicates; `nonEmpty` refuses `[]` with `empty-list`.
    func idList(_ key: String, nonEmpty: Bool) throws(DomainError) -> [String] {
        try Decode.idList(required(key), path: fieldPath(key), nonEmpty: nonEmpty)
    }
    func optionalIdList(_ key: String) throws(DomainError) -> [String]? {
        guard let v = object[key] else { return nil }
        return try Decode.idList(v, path: fieldPath(key), nonEmpty: false)
    }

    /// The elements of a list (checked for type and length), each with its path.
    func list(_ key: String) throws(DomainError) -> [(value: JSONValue, path: String)] {
        try Decode.list(required(key), path: fieldPath(key))
    }
    func optionalList(_ key: String) throws(DomainError) -> [(value: JSONValue, path: String)]? {
        guard let v = object[key] else { return nil }
        return try Decode.list(v, path: fieldPath(key))
    }
}

/// Checks of single values at a JSON path.
enum Decode {
    static func wrongType(_ value: JSONValue, path: String, want: String) -> DomainError {
        if case .double(let d) = value, want == "integer" {
            return DomainError(
                .floatNotAllowed, "\(path) is the number \(d); the ledger holds no floating-point numbers, want an integer",
                field: path)
        }
        return DomainError(.wrongType, "\(path) is \(value.typeName), want \(want)", field: path)
    }

    static func string(_ value: JSONValue, path: String) throws(DomainError) -> String {
        guard case .string(let s) = value else { throw wrongType(value, path: path, want: "string") }
        return s
    }

    static func id(_ value: JSONValue, path: String) throws(DomainError) -> String {
        let s = try string(value, path: path)
        guard DomainText.isId(s) else {
            throw DomainError(
                .invalidId,
                "\(path) is \(DomainText.quote(s)); want an id of 1 to \(DomainLimits.idLengthMax) characters from A-Z a-z 0-9 . _ -",
                field: path)
        }
        return s
    }

    /// A one-line name: NFC, not blank, no control characters, ≤ `DomainLimits.nameLengthMax`.
    static func name(_ value: JSONValue, path: String) throws(DomainError) -> String {
        try checkedText(value, path: path, lengthMax: DomainLimits.nameLengthMax, lineBreaks: false)
    }

    /// Free text: NFC, not blank, no control characters but TAB/LF/CR, ≤ `DomainLimits.textLengthMax`.
    static func text(_ value: JSONValue, path: String) throws(DomainError) -> String {
        try checkedText(value, path: path, lengthMax: DomainLimits.textLengthMax, lineBreaks: true)
    }

    /// UTF-8 bytes that NFC can compose into one character, at most: four
    /// scalars (a base and three marks, or a Hangul syllable's jamo and more)
    /// of four bytes each. Generous: a bound, not an estimate.
    static let composedBytesPerCharacterMax = 16

    /// Combining marks in a row, at most (UAX #15, Stream-Safe Text Format).
    static let combiningRunMax = 30

    static func checkedText(_ value: JSONValue, path: String, lengthMax: Int, lineBreaks: Bool) throws(DomainError) -> String {
        let raw = try string(value, path: path)
        if let length = DomainText.plainTextLength(raw, allowLineBreaks: lineBreaks), length <= lengthMax { return raw }
        // Before normalizing, whose cost can grow faster than the text (long
        // runs of combining marks are reordered): NFC composes at most a few
        // scalars into one, so text this long can never fit the limit.
        guard raw.utf8.count <= lengthMax * Self.composedBytesPerCharacterMax else {
            throw DomainError(
                .textTooLong, "\(path) has \(raw.utf8.count) bytes; at most \(lengthMax) characters", field: path)
        }
        // NFC sorts each run of combining marks, in time that grows with the
        // square of the run: a run longer than any text has (UAX #15's
        // stream-safe limit is 30) is refused before it is sorted.
        if let run = DomainText.longestCombiningRun(raw, over: Self.combiningRunMax) {
            throw DomainError(
                .combiningMarksRun,
                "\(path) has \(run) combining marks in a row; at most \(Self.combiningRunMax) (Unicode's stream-safe limit)",
                field: path)
        }
        let s = DomainText.nfc(raw)
        guard DomainText.hasVisibleCharacter(s) else {
            throw DomainError(.emptyText, "\(path) is empty or blank; want some text", field: path)
        }
        if let c = DomainText.firstControlCharacter(in: s, allowLineBreaks: lineBreaks) {
            let hex = String(c.value, radix: 16, uppercase: true)
            throw DomainError(
                .controlCharacter,
                "\(path) holds the control character U+\(String(repeating: "0", count: max(0, 4 - hex.count)))\(hex); "
                    + (lineBreaks ? "only TAB, LF and CR are allowed in text" : "a name is one line of printable text"),
                field: path)
        }
        let length = s.unicodeScalars.count
        guard length <= lengthMax else {
            throw DomainError(.textTooLong, "\(path) has \(length) characters; at most \(lengthMax)", field: path)
        }
        return s
    }

    static func date(_ value: JSONValue, path: String) throws(DomainError) -> BusinessDate {
        let s = try string(value, path: path)
        guard let date = BusinessDate(s) else {
            throw DomainError(
                .invalidDate,
                "\(path) is \(DomainText.quote(s)); want a real date YYYY-MM-DD between \(DomainLimits.dateYearMin)-01-01 and \(DomainLimits.dateYearMax)-12-31",
                field: path)
        }
        return date
    }

    static func bool(_ value: JSONValue, path: String) throws(DomainError) -> Bool {
        guard case .bool(let b) = value else { throw wrongType(value, path: path, want: "boolean") }
        return b
    }

    static func int(_ value: JSONValue, path: String, range: ClosedRange<Int64>) throws(DomainError) -> Int64 {
        guard case .int(let i) = value else { throw wrongType(value, path: path, want: "integer") }
        guard range.contains(i) else {
            throw DomainError(
                .integerOutOfRange, "\(path) is \(i); want an integer from \(range.lowerBound) to \(range.upperBound)",
                field: path)
        }
        return i
    }

    static func enumeration<E: RawRepresentable & CaseIterable>(_ value: JSONValue, path: String, _ type: E.Type)
        throws(DomainError) -> E where E.RawValue == String
    {
        let s = try string(value, path: path)
        guard let e = E(rawValue: s) else {
            let allowed = E.allCases.map { "'\($0.rawValue)'" }.joined(separator: ", ")
            throw DomainError(.invalidEnumValue, "\(path) is \(DomainText.quote(s)); want one of \(allowed)", field: path)
        }
        return e
    }

    static func list(_ value: JSONValue, path: String) throws(DomainError) -> [(value: JSONValue, path: String)] {
        guard case .array(let items) = value else { throw wrongType(value, path: path, want: "array") }
        guard items.count <= DomainLimits.listEntriesMax else {
            throw DomainError(
                .listTooLong, "\(path) has \(items.count) entries; at most \(DomainLimits.listEntriesMax)", field: path)
        }
        return items.enumerated().map { (value: $0.element, path: "\(path)[\($0.offset)]") }
    }

    static func idList(_ value: JSONValue, path: String, nonEmpty: Bool) throws(DomainError) -> [String] {
        guard case .array(let items) = value else { throw wrongType(value, path: path, want: "array") }
        guard items.count <= DomainLimits.listEntriesMax else {
            throw DomainError(
                .listTooLong, "\(path) has \(items.count) entries; at most \(DomainLimits.listEntriesMax)", field: path)
        }
        if nonEmpty, items.isEmpty {
            throw DomainError(.emptyList, "\(path) is empty; want at least one entry", field: path)
        }
        // Meetings list every participant, and stored events are decoded again
        // on every replay: entry paths are built only for an error message, and
        // short lists (every meeting's) find repeats by comparison, not a set.
        let small = items.count <= 32
        var seen = Set<String>(minimumCapacity: small ? 0 : items.count)
        var ids: [String] = []
        ids.reserveCapacity(items.count)
        for (offset, item) in items.enumerated() {
            let id: String
            if case .string(let s) = item, DomainText.isId(s) {
                id = s
            } else {
                id = try Decode.id(item, path: "\(path)[\(offset)]")
            }
            guard small ? !ids.contains(id) : seen.insert(id).inserted else {
                let entry = "\(path)[\(offset)]"
                throw DomainError(.duplicateEntry, "\(entry) repeats '\(id)'; list each entry once", field: entry)
            }
            ids.append(id)
        }
        return ids
    }

    static func textList(_ items: [(value: JSONValue, path: String)], name: Bool) throws(DomainError) -> [String] {
        var out: [String] = []
        for item in items {
            out.append(name ? try Decode.name(item.value, path: item.path) : try Decode.text(item.value, path: item.path))
        }
        return out
    }
}
