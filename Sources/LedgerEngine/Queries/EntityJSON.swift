import LedgerDomain
import LedgerJSON

/// JSON renderings of the state's entities for the query verbs. Dates are
/// `YYYY-MM-DD` strings; lists are sorted by id or by seq.
enum EntityJSON {
    static func date(_ d: BusinessDate?) -> JSONValue { d.map { .string($0.description) } ?? .null }

    static func organization(_ org: Organization, state: DomainState) -> JSONValue {
        var object: [String: JSONValue] = [
            "code": .string(org.code), "name": .string(org.name), "kind": .string(org.kind.rawValue),
            "parent": org.parent.map { .string($0) } ?? .null,
            "registeredOn": date(org.registeredOn), "registeredSeq": .int(Int64(org.registeredSeq)),
            "dissolved": .bool(org.isDissolved),
        ]
        if let dissolution = org.dissolution {
            object["dissolvedOn"] = date(dissolution.on)
            object["dissolvedSeq"] = .int(Int64(dissolution.seq))
        }
        object["qualityRatings"] = .array(org.qualityRatings.map {
            .object(["year": .int(Int64($0.year)), "rating": .string($0.rating.rawValue), "seq": .int(Int64($0.seq))])
        })
        object["commendations"] = .array(org.commendations.map {
            .object(["by": .string($0.by), "title": .string($0.title), "on": date($0.on), "seq": .int(Int64($0.seq))])
        })
        object["disciplineIds"] = .array(org.disciplineIds.map { .string($0) })
        return .object(object)
    }

    static func memberSummary(_ m: Member) -> JSONValue {
        var object: [String: JSONValue] = [
            "memberId": .string(m.id), "name": .string(m.name), "cell": .string(m.cell),
            "status": .string(m.status.rawValue), "active": .bool(m.isActive),
            "roles": .array(m.roles.keys.sorted().map { .string("\($0.role.rawValue)@\($0.organization)") }),
        ]
        if let retired = m.retiredOn { object["retiredOn"] = date(retired) }
        if let departure = m.departure {
            object["departure"] = departureJSON(departure)
            object["departedOn"] = date(m.departedOn)
        }
        return .object(object)
    }

    static func departureJSON(_ d: Departure) -> JSONValue {
        switch d {
        case .transferredToResidence(let place):
            return .object(["kind": "transferred-to-residence", "residenceOrganization": .string(place)])
        case .removed(let reason):
            return .object(["kind": "removed", "reason": .string(reason.rawValue)])
        case .expelled(let id):
            return .object(["kind": "expelled", "disciplineId": .string(id)])
        }
    }

    static func member(_ m: Member) -> JSONValue {
        guard case .object(var object) = memberSummary(m) else { return .null }
        object["registeredOn"] = date(m.registeredOn)
        object["birthYear"] = m.birthYear.map { .int(Int64($0)) } ?? .null
        object["confirmedOn"] = date(m.confirmedOn)
        object["tasks"] = .array(m.tasks.map {
            .object(["task": .string($0.task), "assignedOn": date($0.assignedOn), "seq": .int(Int64($0.seq)),
                     "assignedBy": $0.assignedBy.map { .string($0) } ?? .null, "dueOn": date($0.dueOn)])
        })
        object["qualityRatings"] = .array(m.qualityRatings.map {
            .object(["year": .int(Int64($0.year)), "rating": .string($0.rating.rawValue), "seq": .int(Int64($0.seq))])
        })
        object["trainings"] = .array(m.trainings.map {
            .object(["course": .string($0.course), "by": .string($0.by), "on": date($0.on), "seq": .int(Int64($0.seq))])
        })
        object["commendations"] = .array(m.commendations.map {
            .object(["by": .string($0.by), "title": .string($0.title), "on": date($0.on), "seq": .int(Int64($0.seq))])
        })
        object["disciplineIds"] = .array(m.disciplineIds.map { .string($0) })
        object["timeline"] = .array(m.timeline.map { entry in
            .object(["seq": .int(Int64(entry.seq)), "occurredOn": date(entry.occurredOn), "change": change(entry.change)])
        })
        return .object(object)
    }

    static func change(_ c: MemberChange) -> JSONValue {
        switch c {
        case let .registered(name, cell, status, _):
            return .object(["kind": "registered", "name": .string(name), "cell": .string(cell), "status": .string(status.rawValue)])
        case let .admitted(name, cell): return .object(["kind": "admitted", "name": .string(name), "cell": .string(cell)])
        case .confirmed: return .object(["kind": "confirmed"])
        case let .transferred(toCell, kind, _):
            return .object(["kind": "transferred", "toCell": .string(toCell), "transferKind": .string(kind.rawValue)])
        case let .roleAssigned(key):
            return .object(["kind": "role-assigned", "organization": .string(key.organization), "role": .string(key.role.rawValue)])
        case let .roleEnded(key):
            return .object(["kind": "role-ended", "organization": .string(key.organization), "role": .string(key.role.rawValue)])
        case let .taskAssigned(task, _, _): return .object(["kind": "task-assigned", "task": .string(task)])
        case .retired: return .object(["kind": "retired"])
        case let .transferredToResidence(place):
            return .object(["kind": "transferred-to-residence", "residenceOrganization": .string(place)])
        case let .removed(reason): return .object(["kind": "removed", "reason": .string(reason.rawValue)])
        case let .disciplineImposed(id, form, by):
            return .object(["kind": "discipline-imposed", "disciplineId": .string(id), "form": .string(form.rawValue), "decidedBy": .string(by)])
        case let .disciplineRevised(id, outcome, newForm):
            return .object(["kind": "discipline-revised", "disciplineId": .string(id), "outcome": .string(outcome.rawValue),
                            "newForm": newForm.map { .string($0.rawValue) } ?? .null])
        case let .qualityEvaluated(year, rating):
            return .object(["kind": "quality-evaluated", "year": .int(Int64(year)), "rating": .string(rating.rawValue)])
        case let .commended(by, title): return .object(["kind": "commended", "by": .string(by), "title": .string(title)])
        case let .trainingCompleted(course, by): return .object(["kind": "training-completed", "course": .string(course), "by": .string(by)])
        }
    }

    static func inspection(_ i: Inspection, asOf: BusinessDate?) -> JSONValue {
        var object: [String: JSONValue] = [
            "inspectionId": .string(i.id), "by": .string(i.by), "kind": .string(i.kind.rawValue),
            "targetOrganizations": .array(i.targetOrganizations.map { .string($0) }),
            "targetMembers": .array(i.targetMembers.map { .string($0) }),
            "team": .array(i.team.map { .string($0) }), "findings": i.findings.map { .string($0) } ?? .null,
            "filedOn": date(i.filedOn), "filedSeq": .int(Int64(i.filedSeq)),
        ]
        if let c = i.conclusion, asOf.map({ c.on <= $0 }) ?? true {
            object["conclusion"] = .object([
                "text": .string(c.text), "violationsFound": .bool(c.violationsFound), "on": date(c.on), "seq": .int(Int64(c.seq)),
            ])
        } else {
            object["conclusion"] = .null
        }
        return .object(object)
    }

    static func discipline(_ d: Discipline, asOf: BusinessDate?) -> JSONValue {
        let appeals = d.appeals.filter { a in asOf.map { a.on <= $0 } ?? true }
        let revisions = d.revisions.filter { r in asOf.map { r.on <= $0 } ?? true }
        var form: DisciplineForm? = d.form
        for r in revisions {
            switch r.outcome {
            case .upheld: break
            case .reduced: form = r.newForm
            case .annulled: form = nil
            }
        }
        return .object([
            "disciplineId": .string(d.id), "subjectKind": .string(d.subject.kind.rawValue), "subject": .string(d.subject.id),
            "form": .string(d.form.rawValue), "decidedBy": .string(d.decidedBy), "reason": .string(d.reason),
            "inspectionId": d.inspectionId.map { .string($0) } ?? .null,
            "imposedOn": date(d.imposedOn), "imposedSeq": .int(Int64(d.imposedSeq)),
            "appeals": .array(appeals.map { .object(["grounds": .string($0.grounds), "on": date($0.on), "seq": .int(Int64($0.seq))]) }),
            "revisions": .array(revisions.map {
                .object(["outcome": .string($0.outcome.rawValue), "newForm": $0.newForm.map { .string($0.rawValue) } ?? .null,
                         "on": date($0.on), "seq": .int(Int64($0.seq))])
            }),
            "inForce": .bool(form != nil), "formInForce": form.map { .string($0.rawValue) } ?? .null,
        ])
    }
}
