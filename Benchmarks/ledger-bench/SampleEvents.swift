import LedgerJSON

/// Events for benchmarks and the crash test: a bloc, a committee, a cell and
/// one member, then leaf events (tasks) that any number of clients can append
/// without ordering constraints between them.
enum SampleEvents {
    static let setup: [JSONValue] = [
        event("OrganizationRegistered", ["code": "BLOC", "name": "Đảng bộ Khối Bench", "kind": "bloc"]),
        event("OrganizationRegistered", ["code": "DB01", "name": "Đảng bộ cơ sở 01", "kind": "committee", "parent": "BLOC"]),
        event("OrganizationRegistered", ["code": "CB01", "name": "Chi bộ 01", "kind": "cell", "parent": "DB01"]),
        event("MemberRegistered", ["memberId": "M0001", "name": "Nguyễn Văn An", "cell": "CB01", "status": "official"]),
    ]

    static func task(_ n: Int, key: String? = nil) -> JSONValue {
        var value = event("MemberTaskAssigned", [
            "memberId": "M0001", "task": .string("Phụ trách tổ dân phố số \(n): theo dõi, nắm tình hình đảng viên cư trú"),
            "assignedBy": "CB01",
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
