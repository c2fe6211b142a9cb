import Dispatch

/// Runs blocking work (LMDB reads, verification, file copies) on a Dispatch
/// queue rather than on Swift's cooperative pool, which has only as many
/// threads as cores and must never wait on disk.
enum Blocking {
    static let queue = DispatchQueue(label: "ledger.blocking", qos: .userInitiated, attributes: .concurrent)

    static func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
