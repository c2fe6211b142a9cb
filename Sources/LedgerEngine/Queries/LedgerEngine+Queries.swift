import LedgerDomain
import LedgerJSON
import LedgerStore

extension LedgerEngine {
    /// Answers a projection query from one consistent snapshot: the published
    /// state (or, with `atSeq`, the state replayed from the log's first `atSeq`
    /// events) and an LMDB read transaction.
    public func query(_ request: QueryRequest) throws -> JSONValue {
        let asOf = try request.asOf.map { try QueryRequest.businessDate($0, "asOf") }
        // Only a query of an earlier point replays the log (`state(for:)`).
        let replays = request.atSeq.map { $0 < publishedState.appliedSeq } ?? false
        return try withSnapshot(long: replays) { published, view in
            let state = try Self.state(for: request.atSeq, published: published, view: view)
            let context = try QueryContext(state: state, current: published, view: view, asOf: asOf, atSeq: request.atSeq)
            var result = try context.answer(request.kind)
            if case .object(var object) = result {
                object["asOf"] = asOf.map { .string($0.description) } ?? .null
                object["atSeq"] = .int(Int64(state.appliedSeq))
                result = .object(object)
            }
            return result
        }
    }

    /// The state after the first `atSeq` events (the published one if nil or
    /// not older). Replays the log prefix: O(atSeq), for audits.
    static func state(for atSeq: UInt64?, published: DomainState, view: ReadView) throws -> DomainState {
        guard let atSeq, atSeq < published.appliedSeq else { return published }
        var state = DomainState()
        try PipelinedReplay.replay(into: &state, view: view, from: 1, through: atSeq, progress: nil)
        return state
    }
}

/// One query's snapshot and selection.
struct QueryContext {
    /// The state the query is about (possibly replayed to `atSeq`).
    let state: DomainState
    /// The latest state (knows every retraction made so far).
    let current: DomainState
    let view: ReadView
    let asOf: BusinessDate?
    let atSeq: UInt64?
    /// Retractions committed after `current` (in the log, not yet
    /// published: a moment, or until a restart after a halt), as
    /// (target, retraction); read once per query.
    let unpublishedRetractions: [(target: UInt64, retraction: UInt64)]

    init(state: DomainState, current: DomainState, view: ReadView, asOf: BusinessDate?, atSeq: UInt64?) throws {
        self.state = state
        self.current = current
        self.view = view
        self.asOf = asOf
        self.atSeq = atSeq
        var unpublished: [(target: UInt64, retraction: UInt64)] = []
        let size = try view.size()
        if size > current.appliedSeq {
            let lookup = StoreEventLookup(view: view)
            for seq in (current.appliedSeq + 1)...size {
                // (A record that does not decode is `verify`'s to name, not every query's.)
                guard let record = try? lookup.storedRecord(seq: seq), record.type == EventType.eventRetracted.rawValue,
                      let target = record.data["seq"]?.intValue, target > 0
                else { continue }
                unpublished.append((UInt64(target), seq))
            }
        }
        unpublishedRetractions = unpublished
    }

    func answer(_ kind: QueryRequest.Kind) throws -> JSONValue {
        switch kind {
        case .org(let code): return try organization(code)
        case .orgs(let under): return try organizations(under: under)
        case .members(let org, let all): return try members(of: org, includeDeparted: all)
        case .member(let id): return try member(id)
        case .history(let discipline, let org, let member):
            return discipline ? try disciplineHistory(org: org, member: member) : try supervisionHistory(org: org, member: member)
        case .meetings(let cell, let from, let to): return try meetings(cell: cell, from: from, to: to)
        case .warnings(let org): return try warnings(under: org)
        case .report(let org, let from, let to, let format): return try report(org: org, from: from, to: to, format: format)
        }
    }

    /// The organization as of `asOf` (nil if not registered by then).
    func org(_ code: String) throws -> Organization {
        guard let org = state.organizations[code] else { throw EngineError(.notFound, "no organization '\(code)'") }
        guard let asOf else { return org }
        guard let then = org.standing(on: asOf) else {
            throw EngineError(.notFound, "organization '\(code)' was not registered on \(asOf)")
        }
        return then
    }

    func memberStanding(_ m: Member) -> Member? {
        guard let asOf else { return m }
        return m.standing(on: asOf)
    }

    func organization(_ code: String) throws -> JSONValue {
        let org = try self.org(code)
        guard case .object(var object) = EntityJSON.organization(org, state: state) else { return .null }
        let children = (state.childrenByParent[code] ?? []).sorted().filter { (try? self.org($0)) != nil }
        object["children"] = .array(children.map { .string($0) })
        if org.kind == .cell {
            object["activeMembers"] = .int(Int64(try membersList(cells: [code], includeDeparted: false).count))
        }
        return .object(object)
    }

    func organizations(under code: String) throws -> JSONValue {
        _ = try org(code)
        let list = state.subtree(of: code).compactMap { try? self.org($0) }.map { org -> JSONValue in
            var object: [String: JSONValue] = [
                "code": .string(org.code), "name": .string(org.name), "kind": .string(org.kind.rawValue),
                "parent": org.parent.map { .string($0) } ?? .null, "registeredOn": EntityJSON.date(org.registeredOn),
            ]
            if let d = org.dissolution { object["dissolvedOn"] = EntityJSON.date(d.on) }
            return .object(object)
        }
        return .object(["under": .string(code), "count": .int(Int64(list.count)), "organizations": .array(list)])
    }

    /// The cells at or under `code` (as of `asOf`).
    func cells(under code: String) throws -> [String] {
        _ = try org(code)
        return state.subtree(of: code).filter { (try? self.org($0))?.kind == .cell }
    }

    /// Members whose cell (as of `asOf`) is one of `cells`, sorted by id.
    func membersList(cells: [String], includeDeparted: Bool) throws -> [Member] {
        let wanted = Set(cells)
        var out: [Member] = []
        if asOf == nil {
            for cell in cells {
                for id in state.membersByCell[cell] ?? [] {
                    if let m = state.members[id], m.cell == cell, includeDeparted || m.isActive { out.append(m) }
                }
            }
        } else {
            for m in state.members.values {
                guard let then = memberStanding(m), wanted.contains(then.cell), includeDeparted || then.isActive else { continue }
                out.append(then)
            }
        }
        return out.sorted { $0.id < $1.id }
    }

    func members(of org: String, includeDeparted: Bool) throws -> JSONValue {
        let list = try membersList(cells: try cells(under: org), includeDeparted: includeDeparted)
        return .object(["org": .string(org), "count": .int(Int64(list.count)), "members": .array(list.map(EntityJSON.memberSummary))])
    }

    func member(_ id: String) throws -> JSONValue {
        guard let m = state.members[id] else { throw EngineError(.notFound, "no member '\(id)'") }
        guard let then = memberStanding(m) else {
            throw EngineError(.notFound, "member '\(id)' was not registered on \(asOf!)")
        }
        return EntityJSON.member(then)
    }

    func supervisionHistory(org: String?, member: String?) throws -> JSONValue {
        if let org { _ = try self.org(org) }
        if let member, state.members[member] == nil { throw EngineError(.notFound, "no member '\(member)'") }
        let list = state.inspections.values.filter { i in
            (org.map { i.targetOrganizations.contains($0) } ?? false || member.map { i.targetMembers.contains($0) } ?? false)
                && (asOf.map { i.filedOn <= $0 } ?? true)
        }.sorted { ($0.filedOn, $0.id) < ($1.filedOn, $1.id) }
        return .object([
            "subject": .string(org ?? member ?? ""), "count": .int(Int64(list.count)),
            "inspections": .array(list.map { EntityJSON.inspection($0, asOf: asOf) }),
        ])
    }

    func disciplineHistory(org: String?, member: String?) throws -> JSONValue {
        if let org { _ = try self.org(org) }
        if let member, state.members[member] == nil { throw EngineError(.notFound, "no member '\(member)'") }
        let subject: Subject = org.map { .organization($0) } ?? .member(member ?? "")
        let list = state.disciplines.values.filter { d in d.subject == subject && (asOf.map { d.imposedOn <= $0 } ?? true) }
            .sorted { ($0.imposedOn, $0.id) < ($1.imposedOn, $1.id) }
        return .object([
            "subject": .string(subject.id), "count": .int(Int64(list.count)),
            "disciplines": .array(list.map { EntityJSON.discipline($0, asOf: asOf) }),
        ])
    }

    func meetings(cell: String, from: String, to: String) throws -> JSONValue {
        guard try org(cell).kind == .cell else { throw EngineError(.invalid, "'\(cell)' is not a cell") }
        let fromDate = try QueryRequest.businessDate(from, "from"), toDate = try QueryRequest.businessDate(to, "to")
        let rows = try meetingRows(cell: cell, from: fromDate, to: toDate)
        let lookup = StoreEventLookup(view: view)
        let list = try rows.map { row -> JSONValue in
            var object: [String: JSONValue] = [
                "seq": .int(Int64(row.seq)), "occurredOn": .string(row.day.description),
                "kind": .string(row.thematic ? "thematic" : "regular"), "durationMinutes": .int(Int64(row.durationMinutes)),
                "attendees": .int(Int64(row.attendees)), "absentees": .int(Int64(row.absentees)),
                "speakers": .int(Int64(row.speakers)), "minutesRecorded": .bool(row.minutesRecorded),
            ]
            if let record = try lookup.storedRecord(seq: row.seq) {
                object["topic"] = record.data["topic"] ?? .null
                object["resolutions"] = record.data["resolutions"] ?? .array([])
            }
            return .object(object)
        }
        return .object(["cell": .string(cell), "from": .string(from), "to": .string(to),
                        "count": .int(Int64(list.count)), "meetings": .array(list)])
    }

    /// The meetings of `cell` in [from, to] as the selected knowledge time saw
    /// them: rows up to `atSeq`, plus meetings retracted only after it.
    /// The retractions the answer's state does not have yet (a retraction
    /// deletes its target's index rows as it commits): those the published
    /// state holds after `through`, and `unpublishedRetractions`.
    func retractedAfter(_ through: UInt64) -> [(target: UInt64, retraction: UInt64)] {
        // (Without atSeq, `through` is the published state's own seq: none of its retractions come after.)
        guard through < current.appliedSeq else { return unpublishedRetractions }
        return current.retracted.filter { $0.value > through }.map { (target: $0.key, retraction: $0.value) }
            + unpublishedRetractions
    }

    func meetingRows(cell: String, from: BusinessDate, to: BusinessDate) throws -> [MeetingRow] {
        let through = atSeq ?? state.appliedSeq
        var rows: [MeetingRow] = []
        try view.meetings(cell: cell, from: from, to: to, throughSeq: through) { rows.append($0) }
        let later = retractedAfter(through)
        if !later.isEmpty {
            let lookup = StoreEventLookup(view: view)
            for (target, _) in later where target <= through {
                guard let record = try lookup.storedRecord(seq: target), record.type == EventType.meetingHeld.rawValue,
                      record.data["cell"]?.stringValue == cell, record.occurredOn >= from, record.occurredOn <= to,
                      let row = MeetingRow(data: record.data, seq: target, day: record.occurredOn)
                else { continue }
                rows.append(row)
            }
            rows.sort { ($0.day, $0.seq) < ($1.day, $1.seq) }
        }
        return rows
    }

    func warnings(under org: String) throws -> JSONValue {
        let through = atSeq ?? state.appliedSeq
        var list: [JSONValue] = []
        for code in state.subtree(of: try self.org(org).code) {
            try view.scanIndex(ProjectionIndexes.warnings, prefix: Array(code.utf8) + [0]) { _, value in
                guard let entry = try? JSONParser.parse(value), let seq = entry["seq"]?.intValue, UInt64(seq) <= through,
                      asOf.map({ a in entry["occurredOn"]?.stringValue.flatMap(BusinessDate.init).map { $0 <= a } ?? true }) ?? true
                else { return true }
                list.append(entry)
                return true
            }
        }
        // A retraction deletes its target's index row; with atSeq, the warnings of events retracted
        // only after it were still known then: read them back from the log (as meetingRows does).
        let later = retractedAfter(through)
        if !later.isEmpty {
            let subtree = Set(state.subtree(of: org))
            let lookup = StoreEventLookup(view: view)
            for (target, _) in later where target <= through {
                guard let record = try lookup.storedRecord(seq: target), !record.warnings.isEmpty,
                      asOf.map({ record.occurredOn <= $0 }) ?? true,
                      let event = try? record.event(),
                      let code = ProjectionIndexes.organization(of: event, state: state), subtree.contains(code)
                else { continue }
                list.append(.object([
                    "seq": .int(Int64(target)), "type": .string(record.type), "occurredOn": .string(record.occurredOn.description),
                    "organization": .string(code),
                    "warnings": .array(record.warnings.map { .object(["code": .string($0.code), "message": .string($0.message)]) }),
                ]))
            }
        }
        list.sort { ($0["seq"]?.intValue ?? 0) < ($1["seq"]?.intValue ?? 0) }
        return .object(["org": .string(org), "count": .int(Int64(list.count)), "warnings": .array(list)])
    }
}
