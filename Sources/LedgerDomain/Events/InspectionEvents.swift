public import LedgerJSON

/// An inspection, supervision or violation-inspection is opened by `by`.
/// `targetOrganizations` has at least one entry; lists hold no duplicates.
public struct InspectionFiled: EventPayload {
    public var inspectionId: String
    public var by: String
    public var kind: InspectionKind
    public var targetOrganizations: [String]
    public var targetMembers: [String]?
    public var team: [String]?
    public var findings: String?

    public init(
        inspectionId: String, by: String, kind: InspectionKind, targetOrganizations: [String],
        targetMembers: [String]? = nil, team: [String]? = nil, findings: String? = nil
    ) {
        self.inspectionId = inspectionId
        self.by = by
        self.kind = kind
        self.targetOrganizations = targetOrganizations
        self.targetMembers = targetMembers
        self.team = team
        self.findings = findings
    }

    static let eventType = EventType.inspectionFiled
    static let fields = ["inspectionId", "by", "kind", "targetOrganizations", "targetMembers", "team", "findings"]

    init(reading r: FieldReader) throws(DomainError) {
        inspectionId = try r.id("inspectionId")
        by = try r.id("by")
        kind = try r.enumeration("kind", InspectionKind.self)
        targetOrganizations = try r.idList("targetOrganizations", nonEmpty: true)
        targetMembers = try r.optionalIdList("targetMembers")
        if let items = try r.optionalList("team") {
            team = try Decode.textList(items, name: true)
        } else {
            team = nil
        }
        findings = try r.optionalText("findings")
    }

    public var data: JSONValue {
        var d = DataObject()
        d["inspectionId"] = inspectionId
        d["by"] = by
        d.set("kind", kind)
        d.set("targetOrganizations", strings: targetOrganizations)
        d.set("targetMembers", strings: targetMembers)
        d.set("team", strings: team)
        d["findings"] = findings
        return d.json
    }

    var event: DomainEvent { .inspectionFiled(self) }
}

/// A filed inspection is concluded, once.
public struct InspectionConcluded: EventPayload {
    public var inspectionId: String
    public var conclusion: String
    public var violationsFound: Bool

    public init(inspectionId: String, conclusion: String, violationsFound: Bool) {
        self.inspectionId = inspectionId
        self.conclusion = conclusion
        self.violationsFound = violationsFound
    }

    static let eventType = EventType.inspectionConcluded
    static let fields = ["inspectionId", "conclusion", "violationsFound"]

    init(reading r: FieldReader) throws(DomainError) {
        inspectionId = try r.id("inspectionId")
        conclusion = try r.text("conclusion")
        violationsFound = try r.bool("violationsFound")
    }

    public var data: JSONValue {
        var d = DataObject()
        d["inspectionId"] = inspectionId
        d["conclusion"] = conclusion
        d.set("violationsFound", violationsFound)
        return d.json
    }

    var event: DomainEvent { .inspectionConcluded(self) }
}
