import LedgerEngine
import LedgerJSON
import LedgerWire

extension EngineRequestHandler {
    typealias BlockingCall = @Sendable (LedgerEngine) throws -> JSONValue

    /// Validates the arguments of a read-only verb on the caller's task and
    /// returns the blocking work to run for it.
    static func blockingCall(_ verb: String, _ args: Arguments) throws(WireError) -> BlockingCall {
        switch verb {
        case "status":
            return { try $0.status() }
        case "pubkey":
            return { .object(["verifierKey": .string($0.verifierKey), "origin": .string($0.origin)]) }
        case "checkpoint":
            return { engine in
                let latest = try engine.latestCheckpoint()
                return .object(["size": .int(Int64(latest.size)), "checkpoint": .string(latest.note)])
            }
        case "checkpoints":
            let from = UInt64(try args.optionalInt("fromSize") ?? 0)
            let limit = Int(try args.optionalInt("limit", min: 1) ?? 100)
            return { try $0.checkpoints(fromSize: from, limit: min(limit, 10_000)) }
        case "prove-inclusion":
            let seq = UInt64(try args.int("seq", min: 1))
            let size = try args.optionalInt("size", min: 1).map(UInt64.init)
            return { try $0.proveInclusion(seq: seq, size: size) }
        case "prove-consistency":
            let from = UInt64(try args.int("from", min: 0))
            let to = try args.optionalInt("to", min: 0).map(UInt64.init)
            return { try $0.proveConsistency(from: from, to: to) }
        case "backup":
            let dest = try args.string("dest")
            guard dest.hasPrefix("/") else { throw WireError(.badArguments, "args.dest must be an absolute path; got '\(dest)'") }
            return { try $0.backup(to: dest) }
        default:
            let query = try QueryRequest(verb: verb, args: args)
            return { try $0.query(query) }
        }
    }
}

extension QueryRequest {
    /// Why `report` takes no `asOf`.
    static let reportAsOfRefusal = """
        a report covers its period [from, to]: asOf does not apply (for what was true up to a date, \
        end the period there; for what the ledger knew after N events, use atSeq)
        """

    /// The query verbs' arguments, checked: ids, dates, `asOf`, `atSeq`.
    init(verb: String, args: Arguments) throws(WireError) {
        let asOf = try args.optionalDate("asOf")
        let atSeq = try args.optionalInt("atSeq", min: 0).map(UInt64.init)
        func id(_ name: String) throws(WireError) -> String {
            let value = try args.string(name)
            guard QueryRequest.isID(value) else {
                throw WireError(.badArguments, "args.\(name) must be an id of 1–64 characters A-Z a-z 0-9 . _ -; got '\(value)'")
            }
            return value
        }
        let kind: QueryRequest.Kind
        switch verb {
        case "org": kind = .org(code: try id("code"))
        case "orgs": kind = .orgs(under: try id("under"))
        case "members": kind = .members(org: try id("org"), includeDeparted: try args.bool("all", default: false))
        case "member": kind = .member(id: try id("memberId"))
        case "history":
            let which = try args.string("kind")
            guard which == "supervision" || which == "discipline" else {
                throw WireError(.badArguments, "args.kind must be 'supervision' or 'discipline'; got '\(which)'")
            }
            let org = try args.optionalString("org")
            let member = try args.optionalString("memberId")
            guard (org == nil) != (member == nil) else {
                throw WireError(.badArguments, "give exactly one of args.org or args.memberId")
            }
            kind = .history(discipline: which == "discipline", org: org == nil ? nil : try id("org"),
                            member: member == nil ? nil : try id("memberId"))
        case "meetings":
            let period = try args.period()
            kind = .meetings(cell: try id("cell"), from: period.from, to: period.to)
        case "warnings": kind = .warnings(org: try id("org"))
        case "report":
            let format = try args.optionalString("format") ?? "json"
            guard ["json", "text", "markdown", "csv"].contains(format) else {
                throw WireError(.badArguments, "args.format must be json, text, markdown or csv; got '\(format)'")
            }
            let (from, to) = try args.period()
            // The period's end already says up to which business date events count.
            guard asOf == nil else { throw WireError(.badArguments, Self.reportAsOfRefusal) }
            kind = .report(org: try id("org"), from: from, to: to, format: format)
        default:
            throw WireError(.unknownVerb, "the engine does not serve '\(verb)'")
        }
        self.init(kind: kind, asOf: asOf, atSeq: atSeq)
    }
}
