extension DomainState {
    /// Checks `event`, dated `occurredOn`, against the current state; changes nothing.
    ///
    /// Returns the advisory warnings (`AdvisoryRules`); throws the first broken rule as a
    /// `DomainError` naming the rule, the field and the remedy. The rules are documented
    /// on `checkX` in `Rules/`.
    public func check(_ event: DomainEvent, occurredOn date: BusinessDate, lookup: some EventLookup) throws(DomainError)
        -> [DomainWarning]
    {
        switch event {
        case .organizationRegistered(let e): try checkOrganizationRegistered(e, on: date)
        case .organizationDissolved(let e): try checkOrganizationDissolved(e, on: date)
        case .memberRegistered(let e): try checkMemberCreation(memberId: e.memberId, cell: e.cell, on: date)
        case .memberAdmitted(let e): try checkMemberCreation(memberId: e.memberId, cell: e.cell, on: date)
        case .memberConfirmed, .memberTransferred, .memberRoleAssigned, .memberRoleEnded, .memberTaskAssigned,
            .memberRetired, .memberTransferredToResidence, .memberRemoved, .trainingCompleted:
            try checkMemberEvent(event, on: date)
        case .meetingHeld(let e):
            try checkMeetingHeld(e, on: date)
            return meetingWarnings(e, on: date)
        case .inspectionFiled(let e): try checkInspectionFiled(e, on: date)
        case .inspectionConcluded(let e): try checkInspectionConcluded(e, on: date)
        case .disciplineImposed(let e): try checkDisciplineImposed(e, on: date)
        case .disciplineAppealed(let e): try checkDisciplineAppealed(e, on: date)
        case .disciplineRevised(let e): try checkDisciplineRevised(e, on: date)
        case .qualityEvaluated(let e): try checkQualityEvaluated(e, on: date)
        case .commended(let e): try checkCommended(e, on: date)
        case .eventRetracted(let e): try checkEventRetracted(e, lookup: lookup)
        }
        return []
    }
}
