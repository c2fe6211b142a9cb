/// An inspection, supervision or violation-inspection.
public struct Inspection: Sendable, Hashable {
    public struct Conclusion: Sendable, Hashable {
        public var seq: UInt64
        public var on: BusinessDate
        public var text: String
        public var violationsFound: Bool
    }

    public let id: String
    public var by: String
    public var kind: InspectionKind
    public var targetOrganizations: [String]
    public var targetMembers: [String]
    public var team: [String]
    public var findings: String?
    public var filedSeq: UInt64
    public var filedOn: BusinessDate
    public var conclusion: Conclusion?
    public internal(set) var references = ReferenceTracker()
}

/// A discipline: what was imposed, and its appeals and revisions in order.
public struct Discipline: Sendable, Hashable {
    public struct Appeal: Sendable, Hashable {
        public var seq: UInt64
        public var on: BusinessDate
        public var grounds: String
    }

    public struct Revision: Sendable, Hashable {
        public var seq: UInt64
        public var on: BusinessDate
        public var outcome: RevisionOutcome
        public var newForm: DisciplineForm?
    }

    public let id: String
    public var subject: Subject
    public var form: DisciplineForm
    public var decidedBy: String
    public var reason: String
    public var inspectionId: String?
    public var imposedSeq: UInt64
    public var imposedOn: BusinessDate
    public var appeals: [Appeal] = []
    public var revisions: [Revision] = []
    public internal(set) var references = ReferenceTracker()

    /// The form now in force (after reductions), or nil once annulled.
    public var currentForm: DisciplineForm? {
        var form: DisciplineForm? = self.form
        for r in revisions {
            switch r.outcome {
            case .upheld: break
            case .reduced: form = r.newForm
            case .annulled: form = nil
            }
        }
        return form
    }

    public var inForce: Bool { currentForm != nil }

    /// The seqs of this discipline's later events (appeals and revisions), ascending.
    var streamSeqs: [UInt64] { (appeals.map(\.seq) + revisions.map(\.seq)).sorted() }
}
