import LedgerJSON

/// The Vietnamese words of ledgerctl's human output (without --json): the
/// labels of the keys a query answers with, the values of the ledger's
/// enumerations, and timeline changes as phrases. --json keeps the
/// contract's English names; free text (names, findings, tasks) is shown as
/// it was recorded.
enum Vocabulary {
    /// `keys` in the order a person reads them: who or what first, then
    /// the rest by label.
    static func ordered(_ keys: some Collection<String>) -> [String] {
        keys.sorted { a, b in
            let ra = leading.firstIndex(of: a) ?? leading.count, rb = leading.firstIndex(of: b) ?? leading.count
            return ra != rb ? ra < rb : label(a) < label(b)
        }
    }

    private static let leading = [
        "memberId", "code", "inspectionId", "disciplineId", "name", "kind", "status", "cell", "parent", "active",
        "subject", "form", "formInForce", "inForce", "occurredOn", "on", "change", "seq", "asOf", "atSeq",
    ]

    /// The label of `key`, or the key itself when it has none.
    static func label(_ key: String) -> String { labels[key] ?? key }

    /// What an advisory warning of the domain rules means, in Vietnamese
    /// (its message, recorded in the event, is the rules' English).
    static let warnings: [String: String] = [
        "meeting-too-short": "cuộc sinh hoạt ngắn hơn thời lượng tối thiểu",
        "cell-too-few-official-members": "chi bộ có dưới 3 đảng viên chính thức",
        "thematic-quarter-missed": "chi bộ không sinh hoạt chuyên đề trong quý trước",
    ]

    /// `raw`, the value of `key`, in Vietnamese when it is one of an
    /// enumeration's values; else as it is.
    static func value(_ key: String, _ raw: String) -> String {
        if key == "code", let meaning = warnings[raw] { return meaning }
        if key == "roles", let at = raw.firstIndex(of: "@") {
            // "secretary@DB01-CB03"
            let role = String(raw[..<at])
            return "\(values["role"]?[role] ?? role) (\(raw[raw.index(after: at)...]))"
        }
        return values[key]?[raw] ?? raw
    }

    /// A timeline change ({"kind": …, …}) as a phrase: what happened, then
    /// its details ("chuyển sinh hoạt: đến chi bộ DB01-CB04, loại chuyển chính thức").
    static func change(_ object: [String: JSONValue]) -> String {
        let kind = object["kind"]?.stringValue.map { values["kind"]?[$0] ?? $0 } ?? ""
        let details = object.keys.sorted().filter { $0 != "kind" }.compactMap { key -> String? in
            guard let v = object[key], v != .null else { return nil }
            return "\(label(key)) \(text(v, key: key))"
        }
        if kind.isEmpty { return details.joined(separator: ", ") }
        return details.isEmpty ? kind : kind + ": " + details.joined(separator: ", ")
    }

    /// Any value as text, enumerations and nested objects in words.
    static func text(_ value: JSONValue, key: String) -> String {
        switch value {
        case .null: return "—"
        case .string(let s): return Vocabulary.value(key, s)
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .bool(let b): return b ? "có" : "không"
        case .array(let items): return items.isEmpty ? "—" : items.map { text($0, key: key) }.joined(separator: ", ")
        case .object(let object):
            // An advisory warning: what it means, then the rules' own words.
            if object["kind"] == nil, let code = object["code"]?.stringValue, let message = object["message"]?.stringValue {
                return "\(warnings[code] ?? code): \(message)"
            }
            return change(object)
        }
    }

    static let labels: [String: String] = [
        "absentees": "vắng mặt", "active": "đang sinh hoạt", "activeMembers": "đảng viên đang sinh hoạt",
        "appeals": "khiếu nại", "asOf": "tính đến ngày", "assignedBy": "cấp giao", "assignedOn": "ngày giao",
        "atSeq": "sau sự kiện số", "attendees": "dự họp", "birthYear": "năm sinh", "by": "cấp", "cell": "chi bộ",
        "change": "thay đổi", "children": "tổ chức trực thuộc", "code": "mã", "commendations": "khen thưởng",
        "conclusion": "kết luận", "confirmedOn": "ngày chuyển chính thức", "count": "số lượng", "course": "khóa học",
        "decidedBy": "cấp quyết định", "departedOn": "ngày thôi sinh hoạt",
        "disciplineId": "mã kỷ luật", "disciplineIds": "kỷ luật (mã)", "disciplines": "kỷ luật",
        "dissolved": "đã giải thể", "dueOn": "hạn", "durationMinutes": "thời lượng (phút)", "filedOn": "ngày lập",
        "filedSeq": "sự kiện lập", "findings": "nội dung", "form": "hình thức", "formInForce": "hình thức đang có hiệu lực",
        "from": "từ ngày", "grounds": "lý do", "imposedOn": "ngày quyết định", "imposedSeq": "sự kiện quyết định",
        "inForce": "còn hiệu lực", "inspectionId": "mã cuộc kiểm tra", "inspections": "kiểm tra, giám sát",
        "kind": "loại", "meetings": "cuộc sinh hoạt", "memberId": "mã đảng viên", "members": "đảng viên",
        "message": "nội dung", "minutesRecorded": "có biên bản", "name": "tên", "newForm": "hình thức mới",
        "occurredOn": "ngày", "on": "ngày", "org": "tổ chức", "organization": "tổ chức", "organizations": "tổ chức",
        "outcome": "kết quả", "parent": "trực thuộc", "qualityRatings": "xếp loại chất lượng", "rating": "xếp loại",
        "reason": "lý do", "registeredOn": "ngày đăng ký", "registeredSeq": "sự kiện đăng ký",
        "residenceOrganization": "nơi cư trú", "retiredOn": "ngày nghỉ hưu", "revisions": "xem xét lại",
        "role": "chức vụ", "roles": "chức vụ", "seq": "sự kiện số", "speakers": "phát biểu", "status": "đảng viên",
        "subject": "đối tượng", "subjectKind": "loại đối tượng", "targetMembers": "đảng viên được kiểm tra",
        "targetOrganizations": "tổ chức được kiểm tra", "task": "nhiệm vụ", "tasks": "nhiệm vụ được giao",
        "team": "đoàn", "text": "nội dung", "timeline": "diễn biến", "title": "danh hiệu", "to": "đến ngày",
        "toCell": "đến chi bộ", "trainings": "bồi dưỡng", "transferKind": "loại chuyển", "type": "loại sự kiện",
        "under": "thuộc", "violationsFound": "có vi phạm", "warnings": "cảnh báo", "year": "năm",
        "dissolvedOn": "ngày giải thể", "dissolvedSeq": "sự kiện giải thể", "resolutions": "nghị quyết",
        "topic": "chủ đề", "departure": "thôi sinh hoạt",
    ]

    static let values: [String: [String: String]] = {
        let forms = [
            "reprimand": "khiển trách", "warning": "cảnh cáo", "dismissal": "cách chức", "expulsion": "khai trừ",
            "dissolution": "giải tán",
        ]
        let kinds = [
            // organizations, meetings, inspections
            "bloc": "đảng bộ khối", "committee": "đảng bộ", "cell": "chi bộ", "regular": "định kỳ",
            "thematic": "chuyên đề", "inspection": "kiểm tra", "supervision": "giám sát",
            "violation-inspection": "kiểm tra khi có dấu hiệu vi phạm",
            // timeline changes
            "registered": "đăng ký", "admitted": "kết nạp", "confirmed": "chuyển đảng viên chính thức",
            "transferred": "chuyển sinh hoạt", "role-assigned": "giữ chức vụ", "role-ended": "thôi giữ chức vụ",
            "task-assigned": "được giao nhiệm vụ", "retired": "nghỉ hưu",
            "transferred-to-residence": "chuyển sinh hoạt về nơi cư trú", "removed": "xóa tên", "expelled": "khai trừ",
            "discipline-imposed": "bị kỷ luật", "discipline-revised": "kỷ luật được xem xét lại",
            "quality-evaluated": "xếp loại chất lượng", "commended": "khen thưởng", "training-completed": "bồi dưỡng",
        ]
        return [
            "kind": kinds, "status": ["official": "chính thức", "probationary": "dự bị"],
            "transferKind": ["official": "chính thức", "temporary": "tạm thời"],
            "role": ["secretary": "bí thư", "deputy-secretary": "phó bí thư", "committee-member": "cấp ủy viên"],
            "form": forms, "formInForce": forms, "newForm": forms,
            "outcome": ["upheld": "giữ nguyên", "reduced": "giảm hình thức", "annulled": "hủy bỏ"],
            "rating": [
                "excellent": "hoàn thành xuất sắc nhiệm vụ", "good": "hoàn thành tốt nhiệm vụ",
                "satisfactory": "hoàn thành nhiệm vụ", "unsatisfactory": "không hoàn thành nhiệm vụ",
            ],
            "reason": ["deceased": "từ trần", "struck-off": "xóa tên", "expelled": "khai trừ", "left": "xin ra khỏi Đảng"],
            "subjectKind": ["member": "đảng viên", "organization": "tổ chức đảng"],
            "type": [
                "OrganizationRegistered": "đăng ký tổ chức", "OrganizationDissolved": "giải thể tổ chức",
                "MemberRegistered": "đăng ký đảng viên", "MemberAdmitted": "kết nạp đảng viên",
                "MemberConfirmed": "chuyển đảng viên chính thức", "MemberTransferred": "chuyển sinh hoạt",
                "MemberRoleAssigned": "giao chức vụ", "MemberRoleEnded": "thôi chức vụ",
                "MemberTaskAssigned": "phân công nhiệm vụ", "MemberRetired": "nghỉ hưu",
                "MemberTransferredToResidence": "chuyển sinh hoạt về nơi cư trú", "MemberRemoved": "xóa tên",
                "MeetingHeld": "sinh hoạt chi bộ", "InspectionFiled": "kiểm tra, giám sát",
                "InspectionConcluded": "kết luận kiểm tra, giám sát", "DisciplineImposed": "thi hành kỷ luật",
                "DisciplineAppealed": "khiếu nại kỷ luật", "DisciplineRevised": "xem xét lại kỷ luật",
                "QualityEvaluated": "đánh giá, xếp loại chất lượng", "Commended": "khen thưởng",
                "TrainingCompleted": "bồi dưỡng", "EventRetracted": "rút lại sự kiện",
            ],
        ]
    }()
}
