import Dispatch
import Synchronization

/// Runs blocking work (LMDB reads, verification, file copies) on a Dispatch
/// queue rather than on Swift's cooperative pool, which has only as many
/// threads as cores and must never wait on disk.
/// Bounded: at most `concurrencyMax` run at once (each holds an LMDB reader
/// slot and a thread); the rest wait their turn in the queue.
///
/// Work whose task is cancelled while it waits for its turn (its client left:
/// the connection cancels its requests) does not start: it ends with
/// `CancellationError` instead of holding a slot for a client that is gone.
/// Work already running runs to its end.
enum Blocking {
    static let concurrencyMax = 8
    static let queue = DispatchQueue(label: "ledger.blocking", qos: .userInitiated, attributes: .concurrent)
    static let slots = DispatchSemaphore(value: concurrencyMax)

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        let cancelled = CancelFlag()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                queue.async {
                    slots.wait()
                    defer { slots.signal() }
                    if cancelled.isSet {
                        continuation.resume(throwing: CancellationError())
                        return
                    }
                    continuation.resume(with: Result { try body() })
                }
            }
        } onCancel: {
            cancelled.set()
        }
    }

    /// Set when the waiting task is cancelled; read by the queued work.
    private final class CancelFlag: Sendable {
        private let flag = Atomic<Bool>(false)
        var isSet: Bool { flag.load(ordering: .acquiring) }
        func set() { flag.store(true, ordering: .releasing) }
    }
}
