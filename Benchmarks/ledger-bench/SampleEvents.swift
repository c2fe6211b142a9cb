import LedgerJSON

/// Events for benchmarks and the crash test: a bloc, a committee, a cell and
/// one member, then leaf events (tasks) that any number of clients can append
/// without ordering constraints between them.
enum SampleEvents {
    /// Members the tasks are spread over (a realistic committee: many members,
    /// each with a short history, not one member with a huge one).
    static let memberCount = 1_000

    static let setup: [JSONValue] = [
        event("OrganizationRegistered", ["code": "BLOC", "name": "Đảng bộ Khối Bench", "kind": "bloc"]),
        event("OrganizationRegistered", ["code": "DB01", "name": "Đảng bộ cơ sở 01", "kind": "committee", "parent": "BLOC"]),
    ] + (0..<10).map { c in
        event("OrganizationRegistered", ["code": .string("CB\(c)"), "name": .string("Chi bộ \(c)"), "kind": "cell", "parent": "DB01"])
    } + (0..<memberCount).map { m in
        event("MemberRegistered", ["memberId": .string(memberId(m)), "name": .string("Nguyễn Văn \(m)"),
                                   "cell": .string("CB\(m % 10)"), "status": "official"])
    }

    static func memberId(_ n: Int) -> String { "M" + String(10_000 + n) }

    static func task(_ n: Int, key: String? = nil) -> JSONValue {
        var value = event("MemberTaskAssigned", [
            "memberId": .string(memberId(n % memberCount)),
            "task": .string("Phụ trách tổ dân phố số \(n): theo dõi, nắm tình hình đảng viên cư trú"),
            "assignedBy": .string("CB\(n % memberCount % 10)"),
        ])
        if let key, case .object(var object) = value {
            object["idempotencyKey"] = .string(key)
            value = .object(object)
        }
        return value
    }

    static func event(_ type: String, _ data: [String: JSONValue], on date: String = "2026-01-15") -> JSONValue {
        .object(["type": .string(type), "occurredOn": .string(date), "data": .object(data)])
    }
}
