import LedgerDomain
import LedgerJSON

extension LedgerEngine {
    /// The full state at a point, for auditors: every organization, member
    /// (with timeline), inspection and discipline as of `asOf` (business date)
    /// and/or after `atSeq` events, as (file name, entity) pairs in a stable
    /// order. `ledgerctl replay` writes them as JSON files.
    public func replay(asOf text: String?, atSeq: UInt64?) throws -> [(file: String, value: JSONValue)] {
        let asOf = try text.map { try QueryRequest.businessDate($0, "asOf") }
        return try withSnapshot(long: true) { published, view in
            let state = try Self.state(for: atSeq, published: published, view: view)
            let context = try QueryContext(state: state, current: published, view: view, asOf: asOf, atSeq: atSeq)
            var out: [(String, JSONValue)] = []
            for code in state.organizations.keys.sorted() {
                guard let org = try? context.org(code) else { continue }
                out.append(("organizations", EntityJSON.organization(org, state: state)))
            }
            for id in state.members.keys.sorted() {
                guard let member = state.members[id].flatMap(context.memberStanding) else { continue }
                out.append(("members", EntityJSON.member(member)))
            }
            for inspection in state.inspections.values.sorted(by: { $0.id < $1.id })
            where asOf.map({ inspection.filedOn <= $0 }) ?? true {
                out.append(("inspections", EntityJSON.inspection(inspection, asOf: asOf)))
            }
            for discipline in state.disciplines.values.sorted(by: { $0.id < $1.id })
            where asOf.map({ discipline.imposedOn <= $0 }) ?? true {
                out.append(("disciplines", EntityJSON.discipline(discipline, asOf: asOf)))
            }
            out.append(("state", .object([
                "appliedSeq": .int(Int64(state.appliedSeq)), "asOf": asOf.map { .string($0.description) } ?? .null,
                "digest": .string(Self.digestHex(state.snapshot())),
            ])))
            return out
        }
    }
}
