import Synchronization

/// One request's enqueue turn (see `ConnectionState`): `hold` waits for it,
/// `release` ends it, `pass` does both unless already done. Every request
/// passes exactly once, whatever path it takes: an append holds the turn
/// while its events go into the queue; anything else passes as it starts;
/// the server passes for any request that has not when it ends.
final class EnqueueGate: Sendable {
    private enum Phase { case waiting, held, done }
    private let state: ConnectionState
    private let serial: UInt64
    private let phase = Mutex(Phase.waiting)

    init(state: ConnectionState, serial: UInt64) {
        self.state = state
        self.serial = serial
    }

    /// Waits until every earlier request has passed. Call once, then `release`.
    func hold() async {
        precondition(phase.withLock { $0 } == .waiting, "request \(serial) holds its enqueue turn twice")
        await state.waitForEnqueueTurn(serial)
        phase.withLock { $0 = .held }
    }

    /// Ends the turn held (does nothing unless held).
    func release() {
        let wasHeld = phase.withLock { phase -> Bool in
            guard phase == .held else { return false }
            phase = .done
            return true
        }
        if wasHeld { state.endEnqueueTurn(serial) }
    }

    /// Waits for the turn and ends it, unless that is done already.
    func pass() async {
        if phase.withLock({ $0 }) == .waiting { await hold() }
        release()
    }
}
