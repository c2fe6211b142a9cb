import Synchronization

/// The per-connection bookkeeping that lets pipelined requests run
/// concurrently while their responses go out in request order.
///
/// - Turns: request `n` (numbered in arrival order) may write only after
///   requests `0..<n` have written their final frame. Its handler runs
///   meanwhile; if it streams, its first `item` waits for its turn. In-order
///   responses keep clients simple (read N lines for N requests) and still
///   let N appends from one connection share one group commit.
/// - Enqueue turns: request `n` reaches the append queue only after requests
///   `0..<n` have reached it or passed by (every request passes once: an
///   append when its events are queued, anything else when it starts). So
///   pipelined appends are committed in request order, while the commits
///   themselves still overlap.
/// - Slots: at most `inFlightMax` requests run at once; the reader waits for
///   a free slot before reading the next line, so a client that pipelines
///   faster than the ledger serves is slowed by the socket, not buffered.
final class ConnectionState: Sendable {
    private struct State {
        var turn: UInt64 = 0
        var turnWaiters: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        var enqueueTurn: UInt64 = 0
        var enqueueWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var inFlight = 0
        var slotWaiter: CheckedContinuation<Bool, Never>?
        var clientGone = false
    }

    let inFlightMax: Int
    private let state = Mutex(State())

    init(inFlightMax: Int) {
        precondition(inFlightMax > 0, "inFlightMax must be positive")
        self.inFlightMax = inFlightMax
    }

    // MARK: Slots (one reader task calls acquire; any task releases)

    /// Waits until fewer than `inFlightMax` requests run, then takes a slot
    /// and returns true; returns false (no slot taken) once the client is
    /// gone, so a reader stuck behind busy handlers can stop and cancel them.
    func acquireSlot() async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            enum Outcome { case acquired, gone, wait }
            let outcome = state.withLock { state -> Outcome in
                precondition(state.slotWaiter == nil, "only the reader acquires slots")
                if state.clientGone { return .gone }
                if state.inFlight < inFlightMax {
                    state.inFlight += 1
                    return .acquired
                }
                state.slotWaiter = continuation
                return .wait
            }
            switch outcome {
            case .acquired: continuation.resume(returning: true)
            case .gone: continuation.resume(returning: false)
            case .wait: break
            }
        }
    }

    /// Frees a slot, handing it straight to a waiting reader if there is one.
    func releaseSlot() {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            precondition(state.inFlight > 0, "released more slots than acquired")
            if let waiter = state.slotWaiter {
                state.slotWaiter = nil
                return waiter  // the slot passes on: inFlight stays the same
            }
            state.inFlight -= 1
            return nil
        }
        waiter?.resume(returning: true)
    }

    var inFlight: Int { state.withLock { $0.inFlight } }

    // MARK: Turns

    /// Returns true once request `serial` may write; false if its turn is
    /// already over (a handler that kept its `ResponseOutput` past its final
    /// frame: the frame is dropped rather than the daemon stopped).
    /// Idempotent within the turn.
    func waitForTurn(_ serial: UInt64) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            enum Outcome { case now, later, over }
            let outcome = state.withLock { state -> Outcome in
                if serial < state.turn { return .over }
                if state.turn == serial { return .now }
                state.turnWaiters[serial] = continuation
                return .later
            }
            switch outcome {
            case .now: continuation.resume(returning: true)
            case .over: continuation.resume(returning: false)
            case .later: break
            }
        }
    }

    /// Ends request `serial`'s turn (after its final frame) and wakes the next.
    func endTurn(_ serial: UInt64) {
        let next = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            precondition(state.turn == serial, "request \(serial) ended out of turn (turn is \(state.turn))")
            state.turn += 1
            return state.turnWaiters.removeValue(forKey: state.turn)
        }
        next?.resume(returning: true)
    }

    // MARK: Enqueue turns

    /// Returns once every request before `serial` has passed its enqueue turn.
    func waitForEnqueueTurn(_ serial: UInt64) async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                precondition(serial >= state.enqueueTurn, "request \(serial) waited for an enqueue turn already over")
                if state.enqueueTurn == serial { return true }
                state.enqueueWaiters[serial] = continuation
                return false
            }
            if now { continuation.resume() }
        }
    }

    /// Ends request `serial`'s enqueue turn and wakes the next.
    func endEnqueueTurn(_ serial: UInt64) {
        let next = state.withLock { state -> CheckedContinuation<Void, Never>? in
            precondition(state.enqueueTurn == serial, "request \(serial) ended its enqueue turn out of order")
            state.enqueueTurn += 1
            return state.enqueueWaiters.removeValue(forKey: state.enqueueTurn)
        }
        next?.resume()
    }

    // MARK: Client liveness

    var isClientGone: Bool { state.withLock { $0.clientGone } }

    /// Records that the client is gone and wakes a reader waiting for a slot.
    func markClientGone() {
        let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
            state.clientGone = true
            defer { state.slotWaiter = nil }
            return state.slotWaiter
        }
        waiter?.resume(returning: false)
    }
}
