import Synchronization

/// At most a few long jobs at once: replays of the log (`--at-seq` queries,
/// `replay`), `verify`, `rebuild` and `backup` each take seconds to minutes
/// of a blocking slot. Without this, a reader pipelining `--at-seq` queries
/// held every one of `Blocking`'s slots, and `status`, queries and exports
/// of every other client waited behind them. Long jobs wait here, without
/// holding a slot; a job whose task is cancelled while it waits (its client
/// left) leaves the queue and never starts.
enum LongWork {
    static let concurrencyMax = 2
    static let gate = WorkGate(slots: concurrencyMax)

    static func run<T: Sendable>(_ body: () async throws -> T) async throws -> T {
        try await gate.acquire()
        defer { gate.release() }
        return try await body()
    }

    /// Blocking work that is long: through the gate, then a `Blocking` slot.
    static func blocking<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await run { try await Blocking.run(work) }
    }
}

/// A counting semaphore for async tasks, first come first served, whose
/// waiters can be cancelled.
final class WorkGate: Sendable {
    private struct State {
        var available: Int
        var waiters: [(id: UInt64, continuation: CheckedContinuation<Void, any Error>)] = []
        var cancelledBeforeWaiting: Set<UInt64> = []
        var nextID: UInt64 = 0
    }

    private let state: Mutex<State>

    init(slots: Int) {
        precondition(slots > 0, "a gate needs a slot")
        state = Mutex(State(available: slots))
    }

    /// Waits for a slot; throws `CancellationError` (no slot taken) if the task is cancelled first.
    func acquire() async throws {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                enum Outcome { case acquired, cancelled, wait }
                let outcome = state.withLock { state -> Outcome in
                    if state.cancelledBeforeWaiting.remove(id) != nil { return .cancelled }
                    if state.available > 0 {
                        state.available -= 1
                        return .acquired
                    }
                    state.waiters.append((id, continuation))
                    return .wait
                }
                switch outcome {
                case .acquired: continuation.resume()
                case .cancelled: continuation.resume(throwing: CancellationError())
                case .wait: break
                }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, any Error>? in
                if let index = state.waiters.firstIndex(where: { $0.id == id }) {
                    return state.waiters.remove(at: index).continuation
                }
                // Not waiting yet (or already given a slot, which its holder releases).
                state.cancelledBeforeWaiting.insert(id)
                return nil
            }
            waiter?.resume(throwing: CancellationError())
        }
        // A cancellation that came after the slot was taken leaves a mark no one will read.
        state.withLock { _ = $0.cancelledBeforeWaiting.remove(id) }
    }

    /// Gives a slot back, to the longest waiter if there is one.
    func release() {
        let next = state.withLock { state -> CheckedContinuation<Void, any Error>? in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst().continuation
        }
        next?.resume()
    }

    var availableSlots: Int { state.withLock { $0.available } }
}
