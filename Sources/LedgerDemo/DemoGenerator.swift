public import LedgerJSON

/// A deterministic stream of realistic synthetic ledger submissions: one
/// bloc of a province's agencies, its committees and cells, their members'
/// lives, meetings, inspections, discipline, evaluations and a few
/// retractions, in Vietnamese (NFC).
///
/// ```swift
/// let generator = DemoGenerator(.sized(events: 100_000, seed: 42))
/// for submission in generator { try ledger.append(submission) }
/// let expected = generator.model.expectedReport(org: "DB01", from: "2025-01-01", to: "2025-12-31")
/// ```
///
/// - Every element is a submission in CONTRACT.md's form
///   `{"type","occurredOn","data"}` (plus `idempotencyKey` if configured),
///   valid against the domain rules when appended in order to a fresh ledger.
///   `occurredOn` never decreases.
/// - `EventRetracted.seq` is the retracted event's 1-based position in this
///   stream: it assumes the ledger was empty, so that the k-th event appended
///   gets seq k.
/// - Streaming: events are made as they are consumed; the generator holds
///   organizations, members and the current month's plan, never the events
///   delivered (its `model` does, unless `recordsModel` is off).
/// - Determinism: the same configuration yields the same stream on any machine.
public struct DemoGenerator: Sequence {
    public let configuration: DemoConfiguration
    /// What has been generated so far by the latest iteration (see `makeIterator()`).
    /// Stays empty when `configuration.recordsModel` is false.
    public let model: DemoModel

    /// Traps if `configuration.problems` is not empty.
    public init(_ configuration: DemoConfiguration) {
        let problems = configuration.problems
        precondition(problems.isEmpty, "DemoConfiguration: " + problems.joined(separator: "; "))
        self.configuration = configuration
        model = DemoModel()
    }

    /// Starts the stream from the beginning; this resets `model`, which then
    /// follows this iterator (iterate one at a time if you read the model).
    public func makeIterator() -> Iterator {
        model.reset()
        return Iterator(engine: DemoEngine(configuration: configuration, model: configuration.recordsModel ? model : nil))
    }

    /// The whole stream and its model, for small configurations (tests, demos).
    public func generateAll() -> (events: [JSONValue], model: DemoModel) {
        let model = DemoModel()
        var events: [JSONValue] = []
        var iterator = Iterator(engine: DemoEngine(configuration: configuration, model: model))
        while let event = iterator.next() { events.append(event) }
        return (events, model)
    }

    /// Yields the submissions one at a time. Copies of an iterator share their position.
    public struct Iterator: IteratorProtocol {
        let engine: DemoEngine

        /// The next submission, or nil at the end of the history (or at `eventLimit`).
        public mutating func next() -> JSONValue? { engine.next() }

        /// Submissions delivered so far (the seq of the last one, on a fresh ledger).
        public var count: Int { engine.delivered }
    }
}
