import Foundation
import LedgerJSON

/// An independent reading of CONTRACT.md's "Event types and their data":
/// which fields each type has, of what JSON type, with which values. Written
/// from the contract, not from the generator, so that the two can disagree.
enum EventShapeChecker {
    indirect enum Field {
        case id, text, date, integer, boolean, ids, texts, absentees
        case oneOf([String])
    }

    static let memberForms = ["reprimand", "warning", "dismissal", "expulsion"]
    static let organizationForms = ["reprimand", "warning", "dissolution"]
    static let subjectKinds = ["member", "organization"]

    /// type → (required fields, optional fields).
    static let types: [String: (required: [String: Field], optional: [String: Field])] = [
        "OrganizationRegistered": (["code": .id, "name": .text, "kind": .oneOf(["bloc", "committee", "cell"])], ["parent": .id]),
        "OrganizationDissolved": (["code": .id, "reason": .text], [:]),
        "MemberRegistered": (["memberId": .id, "name": .text, "cell": .id, "status": .oneOf(["probationary", "official"])],
            ["birthYear": .integer]),
        "MemberAdmitted": (["memberId": .id, "name": .text, "cell": .id], [:]),
        "MemberConfirmed": (["memberId": .id], [:]),
        "MemberTransferred": (["memberId": .id, "toCell": .id, "kind": .oneOf(["official", "temporary"])], [:]),
        "MemberRoleAssigned": (["memberId": .id, "organization": .id,
            "role": .oneOf(["secretary", "deputy-secretary", "committee-member"])], [:]),
        "MemberRoleEnded": (["memberId": .id, "organization": .id,
            "role": .oneOf(["secretary", "deputy-secretary", "committee-member"])], [:]),
        "MemberTaskAssigned": (["memberId": .id, "task": .text], ["assignedBy": .id, "dueOn": .date]),
        "MemberRetired": (["memberId": .id], [:]),
        "MemberTransferredToResidence": (["memberId": .id, "residenceOrganization": .text], [:]),
        "MemberRemoved": (["memberId": .id, "reason": .oneOf(["deceased", "struck-off", "expelled", "left"])], [:]),
        "MeetingHeld": (["cell": .id, "kind": .oneOf(["regular", "thematic"]), "durationMinutes": .integer, "attendees": .ids,
            "absentees": .absentees, "speakers": .ids, "minutesRecorded": .boolean], ["topic": .text, "resolutions": .texts]),
        "InspectionFiled": (["inspectionId": .id, "by": .id, "kind": .oneOf(["inspection", "supervision", "violation-inspection"]),
            "targetOrganizations": .ids], ["targetMembers": .ids, "team": .texts, "findings": .text]),
        "InspectionConcluded": (["inspectionId": .id, "conclusion": .text, "violationsFound": .boolean], [:]),
        "DisciplineImposed": (["disciplineId": .id, "subjectKind": .oneOf(subjectKinds), "subject": .id,
            "form": .oneOf(memberForms + ["dissolution"]), "decidedBy": .id, "reason": .text], ["inspectionId": .id]),
        "DisciplineAppealed": (["disciplineId": .id, "grounds": .text], [:]),
        "DisciplineRevised": (["disciplineId": .id, "outcome": .oneOf(["upheld", "reduced", "annulled"])],
            ["newForm": .oneOf(memberForms + ["dissolution"])]),
        "QualityEvaluated": (["subjectKind": .oneOf(subjectKinds), "subject": .id, "year": .integer,
            "rating": .oneOf(["excellent", "good", "satisfactory", "unsatisfactory"])], [:]),
        "Commended": (["subjectKind": .oneOf(subjectKinds), "subject": .id, "by": .id, "title": .text], [:]),
        "TrainingCompleted": (["memberId": .id, "course": .text, "by": .id], [:]),
        "EventRetracted": (["seq": .integer, "reason": .text], [:]),
    ]

    /// Problems with one submission; empty when it is well-formed.
    static func problems(_ submission: JSONValue) -> [String] {
        guard let envelope = submission.objectValue else { return ["not an object"] }
        var found: [String] = []
        let allowed: Set<String> = ["type", "occurredOn", "data", "idempotencyKey", "expectedVersion"]
        for key in envelope.keys where !allowed.contains(key) { found.append("unknown envelope key \(key)") }
        guard let type = envelope["type"]?.stringValue, let spec = types[type] else { return found + ["unknown type"] }
        if envelope["occurredOn"]?.stringValue.flatMap(isDate) != true { found.append("\(type): bad occurredOn") }
        if let key = envelope["idempotencyKey"], key.stringValue?.isEmpty != false { found.append("\(type): bad idempotencyKey") }
        guard let data = envelope["data"]?.objectValue else { return found + ["\(type): data is not an object"] }
        for (key, value) in data {
            guard let field = spec.required[key] ?? spec.optional[key] else {
                found.append("\(type): extra field \(key)")
                continue
            }
            if !fits(value, field) { found.append("\(type).\(key): \(value) does not fit \(field)") }
        }
        for key in spec.required.keys where data[key] == nil { found.append("\(type): missing \(key)") }
        if !noFloats(submission) { found.append("\(type): a floating-point number") }
        if !allStringsNFC(submission) { found.append("\(type): a string not in NFC") }
        return found
    }

    static func isId(_ text: String) -> Bool {
        (1...64).contains(text.utf8.count) && text.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x2E || byte == 0x5F || byte == 0x2D
        }
    }

    /// Strict YYYY-MM-DD with a real day (checked with Foundation's Gregorian calendar).
    static func isDate(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2])
        else { return false }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let components = DateComponents(year: year, month: month, day: day)
        guard let date = calendar.date(from: components) else { return false }
        let back = calendar.dateComponents([.year, .month, .day], from: date)
        return back.year == year && back.month == month && back.day == day
    }

    static func isText(_ text: String) -> Bool {
        !text.trimmingCharacters(in: .whitespaces).isEmpty && text.count <= 1000
    }

    static func fits(_ value: JSONValue, _ field: Field) -> Bool {
        switch field {
        case .id: return value.stringValue.map(isId) ?? false
        case .text: return value.stringValue.map(isText) ?? false
        case .date: return value.stringValue.map(isDate) ?? false
        case .integer: return value.intValue != nil
        case .boolean: return value.boolValue != nil
        case .ids:
            guard let items = value.arrayValue, items.count <= 1000 else { return false }
            return items.allSatisfy { fits($0, .id) } && Set(items).count == items.count
        case .texts: return value.arrayValue.map { $0.count <= 1000 && $0.allSatisfy { fits($0, .text) } } ?? false
        case .absentees:
            guard let items = value.arrayValue else { return false }
            return items.allSatisfy { item in
                guard let object = item.objectValue, Set(object.keys) == ["memberId", "reason"] else { return false }
                return fits(object["memberId"]!, .id) && fits(object["reason"]!, .text)
            }
        case .oneOf(let values): return value.stringValue.map(values.contains) ?? false
        }
    }

    static func noFloats(_ value: JSONValue) -> Bool {
        switch value {
        case .double: return false
        case .array(let items): return items.allSatisfy(noFloats)
        case .object(let object): return object.values.allSatisfy(noFloats)
        default: return true
        }
    }

    static func allStringsNFC(_ value: JSONValue) -> Bool {
        switch value {
        case .string(let text): return Array(text.unicodeScalars) == Array(text.precomposedStringWithCanonicalMapping.unicodeScalars)
        case .array(let items): return items.allSatisfy(allStringsNFC)
        case .object(let object): return object.allSatisfy { allStringsNFC(.string($0.key)) && allStringsNFC($0.value) }
        default: return true
        }
    }
}
