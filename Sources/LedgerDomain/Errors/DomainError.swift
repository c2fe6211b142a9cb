/// Why an event was refused: a stable code (string and number), a message that
/// names the field, the value got and what was wanted, and the JSON path of the
/// offending field when there is one.
///
/// Codes are part of the outside contract (the engine passes `code.rawValue`
/// and `number` to clients). Numbers are never reused: 1xx decoding, 2xx
/// organizations, 3xx members, 4xx meetings, 5xx inspections, 6xx discipline,
/// 7xx retraction, 8xx dates and recognition. Retired codes keep their numbers
/// (add new cases, never renumber).
public struct DomainError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, CaseIterable {
        // 1xx: decoding (shape, types, limits). Remedy: fix the submitted JSON.
        case unknownEventType = "unknown-event-type"
        case missingField = "missing-field"
        case unexpectedField = "unexpected-field"
        case wrongType = "wrong-type"
        case floatNotAllowed = "float-not-allowed"
        case invalidDate = "invalid-date"
        case invalidId = "invalid-id"
        case emptyText = "empty-text"
        case textTooLong = "text-too-long"
        case listTooLong = "list-too-long"
        case invalidEnumValue = "invalid-enum-value"
        case integerOutOfRange = "integer-out-of-range"
        case controlCharacter = "control-character"
        case duplicateEntry = "duplicate-entry"
        case emptyList = "empty-list"
        case unsupportedSchemaVersion = "unsupported-schema-version"
        case schemaVersionTooNew = "schema-version-too-new"
        case snapshotDamaged = "snapshot-damaged"
        case combiningMarksRun = "combining-marks-run"
        // 2xx: organizations.
        case organizationExists = "organization-exists"
        case parentNotFound = "parent-not-found"
        case organizationNotFound = "organization-not-found"
        case hierarchyViolation = "hierarchy-violation"
        case organizationDissolved = "organization-dissolved"
        case notACell = "not-a-cell"
        // 3xx: members.
        case memberExists = "member-exists"
        case memberNotFound = "member-not-found"
        case memberNotActive = "member-not-active"
        case notProbationary = "not-probationary"
        case sameCell = "same-cell"
        case roleOrganizationNotAllowed = "role-organization-not-allowed"
        case roleAlreadyHeld = "role-already-held"
        case roleNotHeld = "role-not-held"
        case alreadyRetired = "already-retired"
        case dueBeforeAssignment = "due-before-assignment"
        // 4xx: meetings.
        case participantNotInCell = "participant-not-in-cell"
        case attendeeAlsoAbsent = "attendee-also-absent"
        case speakerNotAttending = "speaker-not-attending"
        case duplicateParticipant = "duplicate-participant"
        // 5xx: inspections.
        case inspectionExists = "inspection-exists"
        case inspectionNotFound = "inspection-not-found"
        case inspectionAlreadyConcluded = "inspection-already-concluded"
        // 6xx: discipline.
        case disciplineExists = "discipline-exists"
        case disciplineNotFound = "discipline-not-found"
        case formNotAllowedForSubject = "form-not-allowed-for-subject"
        case formNotAllowedForProbationary = "form-not-allowed-for-probationary"
        case deciderNotAboveSubject = "decider-not-above-subject"
        case disciplineNotInForce = "discipline-not-in-force"
        case revisionNotAReduction = "revision-not-a-reduction"
        // 7xx: retraction.
        case retractionTargetNotFound = "retraction-target-not-found"
        case retractionOfRetraction = "retraction-of-retraction"
        case alreadyRetracted = "already-retracted"
        case retractionHasDependents = "retraction-has-dependents"
        // 8xx: dates and recognition.
        case datedBeforeCreation = "dated-before-creation"
        case datedOutOfOrder = "dated-out-of-order"
        case qualityAlreadyEvaluated = "quality-already-evaluated"
        case qualityYearInFuture = "quality-year-in-future"

        /// The stable number of this code; never reused.
        public var number: Int {
            switch self {
            case .unknownEventType: return 101
            case .missingField: return 102
            case .unexpectedField: return 103
            case .wrongType: return 104
            case .floatNotAllowed: return 105
            case .invalidDate: return 106
            case .invalidId: return 107
            case .emptyText: return 108
            case .textTooLong: return 109
            case .listTooLong: return 110
            case .invalidEnumValue: return 111
            case .integerOutOfRange: return 112
            case .controlCharacter: return 113
            case .duplicateEntry: return 114
            case .emptyList: return 115
            case .unsupportedSchemaVersion: return 116
            case .schemaVersionTooNew: return 117
            case .snapshotDamaged: return 118
            case .combiningMarksRun: return 119
            case .organizationExists: return 201
            case .parentNotFound: return 202
            case .organizationNotFound: return 203
            case .hierarchyViolation: return 204
            case .organizationDissolved: return 205
            case .notACell: return 206
            case .memberExists: return 301
            case .memberNotFound: return 302
            case .memberNotActive: return 303
            case .notProbationary: return 304
            case .sameCell: return 305
            case .roleOrganizationNotAllowed: return 306
            case .roleAlreadyHeld: return 307
            case .roleNotHeld: return 308
            case .alreadyRetired: return 309
            case .dueBeforeAssignment: return 310
            case .participantNotInCell: return 401
            case .attendeeAlsoAbsent: return 402
            case .speakerNotAttending: return 403
            case .duplicateParticipant: return 404
            case .inspectionExists: return 501
            case .inspectionNotFound: return 502
            case .inspectionAlreadyConcluded: return 503
            case .disciplineExists: return 601
            case .disciplineNotFound: return 602
            case .formNotAllowedForSubject: return 603
            case .formNotAllowedForProbationary: return 604
            case .deciderNotAboveSubject: return 605
            case .disciplineNotInForce: return 606
            case .revisionNotAReduction: return 607
            case .retractionTargetNotFound: return 701
            case .retractionOfRetraction: return 702
            case .alreadyRetracted: return 703
            case .retractionHasDependents: return 704
            case .datedBeforeCreation: return 801
            case .datedOutOfOrder: return 802
            case .qualityAlreadyEvaluated: return 811
            case .qualityYearInFuture: return 812
            }
        }

        /// Whether the code is about the shape of the JSON (a schema can check it)
        /// rather than about the ledger's state.
        public var isDecoding: Bool { number < 116 || self == .formNotAllowedForSubject }
    }

    public let code: Code
    /// What was wrong, the value got and what was wanted, and how to fix it.
    public let message: String
    /// The JSON path of the offending field ("data.attendees[3]"), when there is one.
    public let field: String?

    public init(_ code: Code, _ message: String, field: String? = nil) {
        self.code = code
        self.message = message
        self.field = field
    }

    /// The stable number of `code`.
    public var number: Int { code.number }

    public var description: String {
        if let field { return "\(code.rawValue) (\(number)) at \(field): \(message)" }
        return "\(code.rawValue) (\(number)): \(message)"
    }
}

/// Advice attached to an accepted event: shown in queries and reports, never a refusal.
public struct DomainWarning: Sendable, Hashable, Codable {
    /// Stable codes; see `DomainWarning.Code`.
    public let code: String
    public let message: String

    public init(code: String, message: String) {
        self.code = code
        self.message = message
    }

    /// The warning codes the rules emit (stable; part of the stored record).
    public enum Code: String, CaseIterable, Sendable {
        /// A meeting shorter than the guideline's minimum (90 minutes from 2025-10-28).
        case meetingTooShort = "meeting-too-short"
        /// A cell holding a meeting with fewer official members than a cell needs (3).
        case cellTooFewOfficialMembers = "cell-too-few-official-members"
        /// A cell's previous quarter had no thematic meeting.
        case thematicQuarterMissed = "thematic-quarter-missed"
    }

    init(_ code: Code, _ message: String) {
        self.init(code: code.rawValue, message: message)
    }
}
