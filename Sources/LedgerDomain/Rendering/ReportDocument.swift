/// What the signed report says, apart from how it is laid out: the text and the
/// Markdown renderers print this same content, so they cannot drift apart.
struct ReportDocument {
    struct Item {
        var text: String
        var subitems: [String] = []
    }

    struct Section {
        var number: String
        var title: String
        var items: [Item]
    }

    static let party = "ĐẢNG CỘNG SẢN VIỆT NAM"
    static let title = "BÁO CÁO"
    static let subject = "Tình hình sinh hoạt chi bộ, kiểm tra, giám sát và kỷ luật đảng"
    static let placeAndDate = "……, ngày … tháng … năm …"
    static let signature = ["T/M BAN THƯỜNG VỤ", "(Ký, ghi rõ họ tên)"]

    /// Lists of members print at most this many names, then "… và k đảng viên khác".
    static let memberListLimit = 50

    static let none = "Không có"
    static let noData = "Không có số liệu"

    /// The issuing organization in capitals: its name, else its code.
    var issuer: String
    /// "từ ngày 01/01/2025 đến ngày 31/12/2025"
    var period: String
    var sections: [Section]

    init(_ data: ReportData) {
        issuer = RenderText.upper(data.organizationTitle)
        period = "từ ngày \(VietnameseFormat.date(data.from)) đến ngày \(VietnameseFormat.date(data.to))"
        sections = [
            Self.general(data),
            Self.meetings(data),
            Self.inspection(data),
            Self.discipline(data),
            Self.retirees(data),
            Self.withoutTask(data),
        ]
    }

    // MARK: sections

    static func general(_ d: ReportData) -> Section {
        let asOf = d.to.map { " đến ngày \(VietnameseFormat.date($0))" } ?? ""
        return Section(
            number: "I", title: "Tình hình chung",
            items: [
                Item(text: "Số chi bộ: \(VietnameseFormat.integer(d.cells))"),
                Item(text: "Số đảng viên\(asOf): \(VietnameseFormat.integer(d.members))"),
            ])
    }

    static func meetings(_ d: ReportData) -> Section {
        let months = d.months.map { " (\(VietnameseFormat.integer($0)) tháng trọn trong kỳ)" } ?? ""
        // A rate over no meetings, or "every month" over no whole month, is
        // 0 % or 100 % in the JSON (the contract's rule) but says nothing: the
        // text a committee signs says why there is no figure.
        let monthly = d.months == 0
            ? "— (kỳ báo cáo không có tháng trọn nào)"
            : VietnameseFormat.fraction(d.cellsMeetingMonthly, of: d.cells, unit: "chi bộ")
        let noMeetings = d.regularMeetings == 0 && d.thematicMeetings == 0
        func rate(_ value: OneDecimal?) -> String {
            noMeetings ? "— (không có cuộc sinh hoạt nào trong kỳ)" : VietnameseFormat.percent(value)
        }
        let duration = noMeetings
            ? "— (không có cuộc sinh hoạt nào trong kỳ)" : "\(VietnameseFormat.decimal(d.averageDurationMinutes)) phút"
        var missing = Item(text: "Các chi bộ chưa sinh hoạt đủ:")
        switch d.cellsMissingMeetings {
        case nil: missing.text += " " + noData
        case let cells? where cells.isEmpty: missing.text += " " + none
        case let cells?:
            missing.subitems = cells.map { c in
                d.cellLabel(c.cell) + (c.missed.map { ": thiếu \(VietnameseFormat.integer($0)) tháng" } ?? "")
            }
        }
        return Section(
            number: "II", title: "Sinh hoạt chi bộ",
            items: [
                Item(text: "Chi bộ sinh hoạt đủ hằng tháng\(months): " + monthly),
                Item(
                    text: "Số cuộc sinh hoạt định kỳ: \(VietnameseFormat.integer(d.regularMeetings)); "
                        + "sinh hoạt chuyên đề: \(VietnameseFormat.integer(d.thematicMeetings))"),
                Item(text: "Tỷ lệ đảng viên dự sinh hoạt: \(rate(d.attendanceRate))"),
                Item(text: "Tỷ lệ đảng viên phát biểu ý kiến (trên số dự): \(rate(d.speakerRate))"),
                Item(text: "Thời lượng bình quân mỗi cuộc sinh hoạt: " + duration),
                Item(text: "Tỷ lệ cuộc sinh hoạt có biên bản: \(rate(d.minutesRecordedRate))"),
                missing,
            ])
    }

    /// "Kiểm tra 15/28 chi bộ (53,6%); giám sát 14/14 chi bộ (100%)", the contract's line.
    static func coverageLine(inspected: Int64?, of inspectable: Int64?, supervised: Int64?, of supervisable: Int64?)
        -> String
    {
        "Kiểm tra " + VietnameseFormat.fraction(inspected, of: inspectable, unit: "chi bộ")
            + "; giám sát " + VietnameseFormat.fraction(supervised, of: supervisable, unit: "chi bộ")
    }

    static func inspection(_ d: ReportData) -> Section {
        Section(
            number: "III", title: "Công tác kiểm tra, giám sát",
            items: [
                // Both shares are of the cells in scope: the report has no other denominator.
                Item(text: coverageLine(inspected: d.inspectedCells, of: d.cells, supervised: d.supervisedCells, of: d.cells)),
                Item(
                    text: "Số cuộc kiểm tra: \(VietnameseFormat.integer(d.inspections)) "
                        + "(kể cả kiểm tra khi có dấu hiệu vi phạm); "
                        + "số cuộc giám sát: \(VietnameseFormat.integer(d.supervisions))"),
            ])
    }

    static func discipline(_ d: ReportData) -> Section {
        let item: Item
        switch d.disciplines {
        case nil: item = Item(text: noData)
        case let forms? where forms.isEmpty: item = Item(text: none)
        case let forms?:
            let total = forms.reduce(Int64(0)) { $0.addingReportingOverflow($1.count).partialValue }
            item = Item(
                text: "Tổng số: \(VietnameseFormat.integer(total)) trường hợp, trong đó:",
                subitems: forms.map {
                    RenderText.capitalizedFirst(VietnameseFormat.disciplineForm($0.form))
                        + ": \(VietnameseFormat.integer($0.count))"
                })
        }
        return Section(number: "IV", title: "Kỷ luật đảng", items: [item])
    }

    static func retirees(_ d: ReportData) -> Section {
        Section(
            number: "V", title: "Đảng viên nghỉ hưu chưa chuyển sinh hoạt về nơi cư trú",
            items: [memberList(d.retireesPendingTransfer, d)])
    }

    static func withoutTask(_ d: ReportData) -> Section {
        Section(
            number: "VI", title: "Đảng viên chưa được phân công nhiệm vụ",
            items: [memberList(d.membersWithoutTask, d)])
    }

    /// "Tổng số: 73 đảng viên, gồm:" and the first 50 names, then "… và 23 đảng viên khác".
    static func memberList(_ ids: [String]?, _ d: ReportData) -> Item {
        guard let ids else { return Item(text: noData) }
        guard !ids.isEmpty else { return Item(text: none) }
        var names = ids.prefix(memberListLimit).map { d.memberLabel($0) }
        if ids.count > memberListLimit {
            names.append("… và \(VietnameseFormat.integer(Int64(ids.count - memberListLimit))) đảng viên khác")
        }
        return Item(text: "Tổng số: \(VietnameseFormat.integer(Int64(ids.count))) đảng viên, gồm:", subitems: names)
    }
}
