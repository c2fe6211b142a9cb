import LedgerDomain
import Testing

@Suite("Every error code is exercised by a table")
struct CoverageTests {
    @Test func everyCodeHasATest() {
        var covered = Set<DomainError.Code>()
        covered.formUnion(DecodingTests.cases.map(\.code))
        covered.formUnion(OrganizationAndMemberRuleTests.cases.compactMap(\.code))
        covered.formUnion(ActivityRuleTests.cases.compactMap(\.code))
        covered.formUnion(SchemaAgreementTests.invalid.compactMap { DomainError.Code(rawValue: $0.components(separatedBy: "--")[0]) })
        // Tested in RetractionTests, StoredEventTests and StateTests.
        covered.formUnion([
            .retractionTargetNotFound, .retractionOfRetraction, .alreadyRetracted, .retractionHasDependents,
            .unsupportedSchemaVersion, .schemaVersionTooNew, .snapshotDamaged,
        ])
        let missing = DomainError.Code.allCases.filter { !covered.contains($0) }
        #expect(missing.isEmpty, "codes without a test: \(missing.map(\.rawValue))")
    }

    @Test func everyRuleTableHasBothOutcomesPerEventType() {
        let cases = OrganizationAndMemberRuleTests.cases + ActivityRuleTests.cases
        for type in EventType.allCases where type != .eventRetracted {
            let own = cases.filter { $0.type == type.rawValue }
            #expect(own.contains { $0.code == nil }, "\(type.rawValue) has no accepted case")
            #expect(own.contains { $0.code != nil }, "\(type.rawValue) has no refused case")
        }
    }
}
