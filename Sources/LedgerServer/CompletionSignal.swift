import Synchronization

/// A one-shot "done" flag that tasks can await with a deadline. Used by
/// shutdown to wait for the accept loop without being stuck behind it.
final class CompletionSignal: Sendable {
    private struct State {
        var done = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiter: UInt64 = 0
    }

    private let state = Mutex(State())

    init() {}

    var isDone: Bool { state.withLock { $0.done } }

    func signal() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.done = true
            defer { state.waiters = [:] }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Waits until signalled or until the calling task is cancelled.
    func wait() async {
        let key = state.withLock { state -> UInt64 in
            state.nextWaiter += 1
            return state.nextWaiter
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.done || Task.isCancelled { return true }
                    state.waiters[key] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { $0.waiters.removeValue(forKey: key) }
            waiter?.resume()
        }
    }

    /// Waits until signalled or `timeout` passes; returns whether signalled.
    func wait(timeout: Duration) async -> Bool {
        if isDone { return true }
        return await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await self.wait()
                return self.isDone
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return self.isDone
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first || isDone
        }
    }
}
