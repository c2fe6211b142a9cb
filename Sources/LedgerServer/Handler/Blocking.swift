import Dispatch

/// Runs blocking work (LMDB reads, verification, file copies) on a Dispatch
/// queue rather than on Swift's cooperative pool, which has only as many
/// threads as cores and must never wait on disk.
/// Bounded: at most `concurrencyMax` run at once (each holds an LMDB reader
/// slot and a thread); the rest wait their turn in the queue.
enum Blocking {
    static let concurrencyMax = 8
    static let queue = DispatchQueue(label: "ledger.blocking", qos: .userInitiated, attributes: .concurrent)
    static let slots = DispatchSemaphore(value: concurrencyMax)

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                slots.wait()
                defer { slots.signal() }
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
