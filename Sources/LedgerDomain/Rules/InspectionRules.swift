/// Inspections:
/// - ids are unique (`inspection-exists`);
/// - the inspecting body `by` and every target organization exist and are not dissolved;
///   every target member exists (a member who left may still be inspected); all were
///   registered on or before the date;
/// - `InspectionConcluded` once (`inspection-already-concluded`), for a filed inspection
///   (`inspection-not-found`), not dated before its filing (`dated-before-creation`).
extension DomainState {
    func checkInspectionFiled(_ e: InspectionFiled, on date: BusinessDate) throws(DomainError) {
        if inspections[e.inspectionId] != nil {
            throw DomainError(
                .inspectionExists, "inspection '\(e.inspectionId)' is already filed; ids are unique, choose another",
                field: "data.inspectionId")
        }
        _ = try requireOrganization(e.by, field: "data.by", on: date)
        for (i, code) in e.targetOrganizations.enumerated() {
            _ = try requireOrganization(code, field: "data.targetOrganizations[\(i)]", on: date)
        }
        for (i, id) in (e.targetMembers ?? []).enumerated() {
            _ = try requireMember(id, field: "data.targetMembers[\(i)]", on: date)
        }
    }

    func requireInspection(_ id: String, field: String, on date: BusinessDate) throws(DomainError) -> Inspection {
        guard let inspection = inspections[id] else {
            throw DomainError(.inspectionNotFound, "\(field) names inspection '\(id)', which was never filed; file it first", field: field)
        }
        guard inspection.filedOn <= date else {
            throw DomainError(
                .datedBeforeCreation, "inspection '\(id)' was filed on \(inspection.filedOn), after this event's date \(date)",
                field: field)
        }
        return inspection
    }

    func checkInspectionConcluded(_ e: InspectionConcluded, on date: BusinessDate) throws(DomainError) {
        let inspection = try requireInspection(e.inspectionId, field: "data.inspectionId", on: date)
        if let c = inspection.conclusion {
            throw DomainError(
                .inspectionAlreadyConcluded,
                "inspection '\(e.inspectionId)' was concluded on \(c.on) (event \(c.seq)); it is concluded once",
                field: "data.inspectionId")
        }
    }
}
