public import LedgerJSON

/// A party organization enters the ledger. `parent` is required unless `kind`
/// is `bloc`, and a bloc has no parent (refused at decoding: `missing-field` /
/// `unexpected-field`). Rules: `OrganizationRules`.
public struct OrganizationRegistered: EventPayload {
    public var code: String
    public var name: String
    public var kind: OrganizationKind
    public var parent: String?

    public init(code: String, name: String, kind: OrganizationKind, parent: String? = nil) {
        self.code = code
        self.name = name
        self.kind = kind
        self.parent = parent
    }

    static let eventType = EventType.organizationRegistered
    static let fields = ["code", "name", "kind", "parent"]

    init(reading r: FieldReader) throws(DomainError) {
        code = try r.id("code")
        name = try r.name("name")
        kind = try r.enumeration("kind", OrganizationKind.self)
        parent = try r.optionalId("parent")
        if kind == .bloc, parent != nil {
            throw DomainError(
                .unexpectedField, "a bloc is the top of the ledger's hierarchy and has no parent; remove data.parent",
                field: r.fieldPath("parent"))
        }
        if kind != .bloc, parent == nil {
            throw DomainError(
                .missingField, "a \(kind.rawValue) needs data.parent (the code of the organization above it)",
                field: r.fieldPath("parent"))
        }
    }

    public var data: JSONValue {
        var d = DataObject()
        d["code"] = code
        d["name"] = name
        d.set("kind", kind)
        d["parent"] = parent
        return d.json
    }

    var event: DomainEvent { .organizationRegistered(self) }
}

/// An organization is dissolved (with every organization under it that is not
/// dissolved yet). Rules: `OrganizationRules`.
public struct OrganizationDissolved: EventPayload {
    public var code: String
    public var reason: String

    public init(code: String, reason: String) {
        self.code = code
        self.reason = reason
    }

    static let eventType = EventType.organizationDissolved
    static let fields = ["code", "reason"]

    init(reading r: FieldReader) throws(DomainError) {
        code = try r.id("code")
        reason = try r.text("reason")
    }

    public var data: JSONValue {
        var d = DataObject()
        d["code"] = code
        d["reason"] = reason
        return d.json
    }

    var event: DomainEvent { .organizationDissolved(self) }
}
