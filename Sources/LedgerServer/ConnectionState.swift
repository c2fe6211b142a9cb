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
/// - Slots: at most `inFlightMax` requests run at once, holding at most
///   `bytesInFlightMax` bytes of request lines between them (a request holds
///   its line until it is answered; one request alone is always let in,
///   whatever its size); the reader waits for a free slot before reading the
///   next line, so a client that pipelines faster than the ledger serves is
///   slowed by the socket, not buffered: 128 pipelined lines of 1 MiB never
///   answered would otherwise hold 128 MiB.
/// - Serials are handed out on the event loop, in line order, to every line:
///   those served by tasks and those served immediately (`beginImmediate`).
///   An immediate request is started only on an idle connection (every
///   earlier request answered), so it is at once the current turn and the
///   current enqueue turn, and nothing written before it can follow it.
final class ConnectionState: Sendable {
    private struct State {
        /// Serials handed out (the next request's number).
        var issued: UInt64 = 0
        var turn: UInt64 = 0
        var turnWaiters: [UInt64: CheckedContinuation<Bool, Never>] = [:]
        var enqueueTurn: UInt64 = 0
        var enqueueWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var inFlight = 0
        var bytesInFlight = 0
        var slotWaiter: (continuation: CheckedContinuation<Bool, Never>, bytes: Int)?
        var clientGone = false
        /// The reader, once the input ended, waiting to learn whether the
        /// client is gone (true) or every request is answered (false).
        var endWaiter: CheckedContinuation<Bool, Never>?
        var immediates = 0
        var immediatesWaiter: CheckedContinuation<Void, Never>?

        func admits(_ bytes: Int, inFlightMax: Int, bytesInFlightMax: Int) -> Bool {
            inFlight < inFlightMax && (inFlight == 0 || bytesInFlight + bytes <= bytesInFlightMax)
        }
    }

    let inFlightMax: Int
    let bytesInFlightMax: Int
    private let state = Mutex(State())

    init(inFlightMax: Int, bytesInFlightMax: Int = .max) {
        precondition(inFlightMax > 0 && bytesInFlightMax > 0, "inFlightMax and bytesInFlightMax must be positive")
        self.inFlightMax = inFlightMax
        self.bytesInFlightMax = bytesInFlightMax
    }

    // MARK: Serials (the event loop hands them out, in line order)

    /// The serial of the next line, which goes to the reader task.
    func issueSerial() -> UInt64 {
        state.withLock { state in
            defer { state.issued += 1 }
            return state.issued
        }
    }

    /// Whether every request issued so far has ended its turn (a hint: the
    /// connection's reader may issue more meanwhile; `beginImmediate` decides).
    var isIdle: Bool { state.withLock { $0.issued == $0.turn } }

    /// Starts a request served without a task, holding a line of `bytes`: on
    /// an idle connection only (every request issued so far has ended its
    /// turn, and no reader waits for a slot), it takes the next serial, whose
    /// turn and enqueue turn are then current, and a slot. Returns nil
    /// otherwise: the line goes to the reader task.
    /// Then: `endEnqueueTurn(serial)` once queued, `finishImmediate` once answered.
    func beginImmediate(bytes: Int) -> UInt64? {
        state.withLock { state -> UInt64? in
            guard !state.clientGone, state.issued == state.turn, state.enqueueTurn == state.issued,
                  state.slotWaiter == nil,
                  state.admits(bytes, inFlightMax: inFlightMax, bytesInFlightMax: bytesInFlightMax)
            else { return nil }
            let serial = state.issued
            state.issued += 1
            state.inFlight += 1
            state.bytesInFlight += bytes
            state.immediates += 1
            return serial
        }
    }

    /// Ends an immediate request once its final frame is written: its turn,
    /// its slot, and a wait in `waitForImmediateRequests` if it was the last.
    func finishImmediate(_ serial: UInt64, bytes: Int) {
        endTurn(serial)
        releaseSlot(bytes: bytes)
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            precondition(state.immediates > 0, "finished an immediate request never begun")
            state.immediates -= 1
            guard state.immediates == 0 else { return nil }
            defer { state.immediatesWaiter = nil }
            return state.immediatesWaiter
        }
        waiter?.resume()
    }

    /// Returns once no immediate request is running (they always end: the
    /// engine answers every request it took), so a connection closes only
    /// after answering them; or at once when the task is cancelled (the
    /// shutdown grace period is over). One caller at a time.
    func waitForImmediateRequests() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    precondition(state.immediatesWaiter == nil, "two waits for immediate requests")
                    if state.immediates == 0 || Task.isCancelled { return true }
                    state.immediatesWaiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                defer { state.immediatesWaiter = nil }
                return state.immediatesWaiter
            }
            waiter?.resume()
        }
    }

    // MARK: Slots (one reader task calls acquire; any task releases)

    /// Waits until a request of `bytes` (its line) fits (fewer than
    /// `inFlightMax` requests run, and their lines and this one hold at most
    /// `bytesInFlightMax` bytes, or none runs), then takes a slot and returns
    /// true; returns false (no slot taken) once the client is gone, so a
    /// reader stuck behind busy handlers can stop and cancel them.
    func acquireSlot(bytes: Int = 0) async -> Bool {
        await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
            enum Outcome { case acquired, gone, wait }
            let outcome = state.withLock { state -> Outcome in
                precondition(state.slotWaiter == nil, "only the reader acquires slots")
                if state.clientGone { return .gone }
                if state.admits(bytes, inFlightMax: inFlightMax, bytesInFlightMax: bytesInFlightMax) {
                    state.inFlight += 1
                    state.bytesInFlight += bytes
                    return .acquired
                }
                state.slotWaiter = (continuation, bytes)
                return .wait
            }
            switch outcome {
            case .acquired: continuation.resume(returning: true)
            case .gone: continuation.resume(returning: false)
            case .wait: break
            }
        }
    }

    /// Frees the slot of a request of `bytes` (as acquired), handing a slot
    /// to the waiting reader if its request now fits.
    func releaseSlot(bytes: Int = 0) {
        enum Wake { case reader(CheckedContinuation<Bool, Never>), end(CheckedContinuation<Bool, Never>) }
        let wake = state.withLock { state -> Wake? in
            precondition(state.inFlight > 0 && state.bytesInFlight >= bytes, "released more than acquired")
            state.inFlight -= 1
            state.bytesInFlight -= bytes
            if state.inFlight == 0, let end = state.endWaiter {
                state.endWaiter = nil
                return Wake.end(end)
            }
            guard let waiter = state.slotWaiter,
                  state.admits(waiter.bytes, inFlightMax: inFlightMax, bytesInFlightMax: bytesInFlightMax)
            else { return nil }
            state.slotWaiter = nil
            state.inFlight += 1
            state.bytesInFlight += waiter.bytes
            return Wake.reader(waiter.continuation)
        }
        switch wake {
        case .reader(let reader): reader.resume(returning: true)
        case .end(let end): end.resume(returning: false)
        case nil: break
        }
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

    /// Records that the client is gone and wakes a reader waiting for a slot,
    /// or for the end of its requests (`waitUntilGoneOrAnswered`).
    func markClientGone() {
        let (slot, end) = state.withLock { state -> (CheckedContinuation<Bool, Never>?, CheckedContinuation<Bool, Never>?) in
            state.clientGone = true
            defer {
                state.slotWaiter = nil
                state.endWaiter = nil
            }
            return (state.slotWaiter?.continuation, state.endWaiter)
        }
        slot?.resume(returning: false)
        end?.resume(returning: true)
    }

    /// Once the input ended: true when the client is gone (what it left
    /// running is to be cancelled), false once every request is answered (a
    /// client that only half-closed still reads, and has had its answers).
    /// The two can come in either order: a socket the peer closed reads as
    /// the end of input before the channel reports the peer gone, so the
    /// reader cannot tell at once. True at once if the task is cancelled
    /// (shutdown). One caller at a time.
    func waitUntilGoneOrAnswered() async -> Bool {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let now = state.withLock { state -> Bool? in
                    precondition(state.endWaiter == nil, "two waits for the end of a connection's requests")
                    if state.clientGone || Task.isCancelled { return true }
                    if state.inFlight == 0 { return false }
                    state.endWaiter = continuation
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> CheckedContinuation<Bool, Never>? in
                defer { state.endWaiter = nil }
                return state.endWaiter
            }
            waiter?.resume(returning: true)
        }
    }
}
