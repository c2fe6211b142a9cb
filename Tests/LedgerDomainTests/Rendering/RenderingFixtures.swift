import LedgerJSON

/// A small hand-made report: 28 cells, three of them in `perCell`.
enum RenderingFixtures {
    static let withoutTaskIDs: [JSONValue] = (1...73).map { .string("DV-T" + pad3($0)) }

    static func pad3(_ n: Int) -> String {
        String(repeating: "0", count: max(0, 3 - String(n).count)) + String(n)
    }

    static let contractKeys: [String: JSONValue] = [
        "organization": "DBK-CQT",
        "from": "2025-01-01",
        "to": "2025-12-31",
        "cells": 28,
        "members": 1234,
        "regularMeetings": 310,
        "thematicMeetings": 45,
        "cellsMeetingMonthly": 20,
        "cellsMissingMeetings": [["cell": "CB-03", "missed": 2], ["cell": "CB-07", "missed": 1]],
        "attendanceRate": .double(92.3),
        "speakerRate": 41,
        "averageDurationMinutes": .double(95.5),
        "minutesRecordedRate": .double(100.0),
        "inspectedCells": 15,
        "supervisedCells": 14,
        "inspections": 17,
        "supervisions": 14,
        "disciplines": ["expulsion": 1, "reprimand": 2, "warning": 1, "dismissal": 0],
        "retireesPendingTransfer": ["DV-0007", "DV-0100"],
        "membersWithoutTask": .array(withoutTaskIDs),
    ]

    static let extras: [String: JSONValue] = [
        "organizationName": "Đảng bộ Khối các cơ quan tỉnh",
        "months": 12,
        "cellNames": [
            "CB-01": "Chi bộ Ban Tuyên giáo",
            "CB-03": "Chi bộ Phòng Tổ chức",
            "CB-07": "Chi bộ Văn phòng, Hành chính",
        ],
        "memberNames": ["DV-0007": "Trần Thị Bình", "DV-T001": "Lê Văn Cường"],
        "perCell": [
            [
                "cell": "CB-01", "name": "Chi bộ Ban Tuyên giáo", "members": 12, "regularMeetings": 12,
                "thematicMeetings": 2, "monthsMissed": 0, "attendanceRate": .double(95.0), "inspected": true,
                "supervised": false,
            ],
            [
                "cell": "CB-03", "name": "Chi bộ Phòng Tổ chức", "members": 9, "regularMeetings": 10,
                "thematicMeetings": 1, "monthsMissed": 2, "attendanceRate": .double(88.9), "inspected": false,
                "supervised": true,
            ],
            [
                "cell": "CB-07", "name": "Chi bộ Văn phòng, \"Hành chính\"", "members": 20, "regularMeetings": 11,
                "thematicMeetings": 4, "monthsMissed": 1, "attendanceRate": 100, "inspected": true,
                "supervised": true,
            ],
        ],
    ]

    /// The full report, extras included.
    static var report: JSONValue {
        .object(contractKeys.merging(extras) { a, _ in a })
    }

    /// Only the contract's keys: no names, no months, no per-cell rows.
    static var bare: JSONValue { .object(contractKeys) }

    static func report(_ changes: [String: JSONValue]) -> JSONValue {
        .object(contractKeys.merging(extras) { a, _ in a }.merging(changes) { _, b in b })
    }

    /// The lines of a text section: from its "N. title" line up to the next blank line.
    static func section(_ number: String, in text: String) -> [String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let start = lines.firstIndex(where: { $0.hasPrefix(number + ". ") }) else { return [] }
        return Array(lines[start...].prefix { !$0.isEmpty })
    }
}
