/// Every limit the domain puts on an event, in one place (TigerBeetle's "put a
/// limit on everything"). `Schemas/events/*.schema.json` repeat these numbers;
/// `SchemaAgreementTests` and `scripts/validate-schemas.py` keep them in step.
///
/// Lengths count Unicode scalars (code points) after NFC normalization, as
/// JSON Schema's `maxLength` does.
public enum DomainLimits {
    /// Ids (`code`, `memberId`, `inspectionId`, `disciplineId`): 1...64 of `A-Z a-z 0-9 . _ -`.
    public static let idLengthMax = 64
    /// Names: organization and member names, titles, courses, team members,
    /// residence organizations. One line (no control characters).
    public static let nameLengthMax = 200
    /// Free text: reasons, findings, conclusions, grounds, tasks, topics, resolutions.
    /// May hold line breaks (LF, CR, TAB), no other control characters.
    public static let textLengthMax = 4000
    /// Every list in an event (attendees, absentees, speakers, resolutions, targets, team).
    public static let listEntriesMax = 1000
    /// `idempotencyKey`: 1...128 characters, no control characters.
    public static let idempotencyKeyLengthMax = 128
    /// `idempotencyKey` in UTF-8 bytes: it is an LMDB key, and LMDB's keys
    /// hold at most 511 bytes (128 four-byte characters would be 512).
    public static let idempotencyKeyBytesMax = 511
    /// `MeetingHeld.durationMinutes`.
    public static let meetingMinutesMin = 1
    public static let meetingMinutesMax = 720
    /// `MemberRegistered.birthYear`.
    public static let birthYearMin = 1900
    public static let birthYearMax = 2100
    /// `QualityEvaluated.year`: the Party was founded in 1930.
    public static let evaluationYearMin = 1930
    public static let evaluationYearMax = 2200
    /// Every date (`occurredOn`, `dueOn`): 1900-01-01...2200-12-31.
    public static let dateYearMin = 1900
    public static let dateYearMax = 2200
    /// `EventRetracted.seq` and `expectedVersion`: integers JSON holds exactly (2^53 − 1).
    public static let integerMax: Int64 = (1 << 53) - 1
}
