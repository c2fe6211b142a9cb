import LedgerJSON

/// The report JSON read once into typed figures, tolerant of what may be absent.
///
/// The contract's keys are expected; the engine's rendering extras
/// (`organizationName`, `months`, `cellNames`, `memberNames`, `perCell`) may be
/// missing, and then codes stand in for names. A missing figure stays `nil` so a
/// renderer prints "—" or "Không có số liệu" rather than inventing a zero.
/// Every string is made one line and NFC here. Lists keep the engine's order
/// (the contract sorts them by id; `perCell` comes sorted by cell code).
struct ReportData {
    struct MissingMeetings { var cell: String; var missed: Int64? }

    struct CellRow {
        var cell: String
        var name: String?
        var members: Int64?
        var regularMeetings: Int64?
        var thematicMeetings: Int64?
        var monthsMissed: Int64?
        var attendanceRate: OneDecimal?
        var inspected: Bool?
        var supervised: Bool?
    }

    var organization: String?
    var organizationName: String?
    var from: String?
    var to: String?
    var months: Int64?

    var cells: Int64?
    var members: Int64?
    var regularMeetings: Int64?
    var thematicMeetings: Int64?
    var cellsMeetingMonthly: Int64?
    var cellsMissingMeetings: [MissingMeetings]?
    var attendanceRate: OneDecimal?
    var speakerRate: OneDecimal?
    var averageDurationMinutes: OneDecimal?
    var minutesRecordedRate: OneDecimal?

    var inspectedCells: Int64?
    var supervisedCells: Int64?
    var inspections: Int64?
    var supervisions: Int64?

    /// Forms with a positive count: the contract's forms mildest first, then any
    /// other form by name.
    var disciplines: [(form: String, count: Int64)]?

    var retireesPendingTransfer: [String]?
    var membersWithoutTask: [String]?

    var cellNames: [String: String] = [:]
    var memberNames: [String: String] = [:]
    var perCell: [CellRow]?

    init(_ json: JSONValue) {
        organization = Self.string(json["organization"])
        organizationName = Self.string(json["organizationName"])
        from = Self.string(json["from"])
        to = Self.string(json["to"])
        months = Self.int(json["months"])

        cells = Self.int(json["cells"])
        members = Self.int(json["members"])
        regularMeetings = Self.int(json["regularMeetings"])
        thematicMeetings = Self.int(json["thematicMeetings"])
        cellsMeetingMonthly = Self.int(json["cellsMeetingMonthly"])
        cellsMissingMeetings = json["cellsMissingMeetings"]?.arrayValue.map { items in
            items.compactMap { item -> MissingMeetings? in
                guard let cell = Self.string(item["cell"]) else { return nil }
                return MissingMeetings(cell: cell, missed: Self.int(item["missed"]))
            }
        }
        attendanceRate = OneDecimal(json: json["attendanceRate"])
        speakerRate = OneDecimal(json: json["speakerRate"])
        averageDurationMinutes = OneDecimal(json: json["averageDurationMinutes"])
        minutesRecordedRate = OneDecimal(json: json["minutesRecordedRate"])

        inspectedCells = Self.int(json["inspectedCells"])
        supervisedCells = Self.int(json["supervisedCells"])
        inspections = Self.int(json["inspections"])
        supervisions = Self.int(json["supervisions"])

        disciplines = json["disciplines"]?.objectValue.map { object in
            let known = VietnameseFormat.disciplineForms.map(\.form)
            let others = object.keys.filter { !known.contains($0) }.sorted()
            return (known + others).compactMap { form in
                guard let count = Self.int(object[form]), count > 0 else { return nil }
                return (Self.clean(form), count)
            }
        }

        retireesPendingTransfer = Self.strings(json["retireesPendingTransfer"])
        membersWithoutTask = Self.strings(json["membersWithoutTask"])

        cellNames = Self.names(json["cellNames"])
        memberNames = Self.names(json["memberNames"])
        perCell = json["perCell"]?.arrayValue.map { rows in
            rows.compactMap { row -> CellRow? in
                guard let cell = Self.string(row["cell"]) else { return nil }
                return CellRow(
                    cell: cell,
                    name: Self.string(row["name"]),
                    members: Self.int(row["members"]),
                    regularMeetings: Self.int(row["regularMeetings"]),
                    thematicMeetings: Self.int(row["thematicMeetings"]),
                    monthsMissed: Self.int(row["monthsMissed"]),
                    attendanceRate: OneDecimal(json: row["attendanceRate"]),
                    inspected: row["inspected"]?.boolValue,
                    supervised: row["supervised"]?.boolValue
                )
            }
        }
        for row in perCell ?? [] where cellNames[row.cell] == nil {
            if let name = row.name { cellNames[row.cell] = name }
        }
    }

    /// The organization as the heading names it: its name, else its code.
    var organizationTitle: String {
        organizationName ?? organization ?? VietnameseFormat.missing
    }

    /// The name a cell goes by: `cellNames`, else its `perCell` row's, else nil.
    func cellName(_ code: String) -> String? {
        cellNames[code]
    }

    /// "Chi bộ Phòng Tổ chức (CB-03)", or just "CB-03" without a name.
    func cellLabel(_ code: String) -> String {
        Self.label(name: cellName(code), code: code)
    }

    /// A per-cell row's label: the row's own name first, as the CSV prints it.
    func cellLabel(_ row: CellRow) -> String {
        Self.label(name: row.name ?? cellName(row.cell), code: row.cell)
    }

    /// "Nguyễn Văn An (DV-0001)", or just "DV-0001" without a name.
    func memberLabel(_ id: String) -> String {
        Self.label(name: memberNames[id], code: id)
    }

    private static func label(name: String?, code: String) -> String {
        guard let name, name != code else { return code }
        return "\(name) (\(code))"
    }

    // MARK: reading JSON

    private static func clean(_ s: String) -> String {
        RenderText.nfc(RenderText.oneLine(s))
    }

    private static func string(_ v: JSONValue?) -> String? {
        guard let s = v?.stringValue else { return nil }
        let cleaned = clean(s)
        return cleaned.allSatisfy(\.isWhitespace) ? nil : cleaned
    }

    /// Integers; an integral double is accepted too (some encoders write 28.0).
    private static func int(_ v: JSONValue?) -> Int64? {
        switch v {
        case .int(let i)?: return i
        case .double(let d)?:
            guard d.isFinite, d.rounded() == d, abs(d) <= Double(JSONValue.integerMagnitudeMax) else { return nil }
            return Int64(d)
        default: return nil
        }
    }

    /// An id list in the order given (the contract sorts it by id); non-strings skipped.
    private static func strings(_ v: JSONValue?) -> [String]? {
        v?.arrayValue.map { $0.compactMap { string($0) } }
    }

    private static func names(_ v: JSONValue?) -> [String: String] {
        var out: [String: String] = [:]
        for (key, value) in v?.objectValue ?? [:] {
            if let name = string(value) { out[clean(key)] = name }
        }
        return out
    }
}
