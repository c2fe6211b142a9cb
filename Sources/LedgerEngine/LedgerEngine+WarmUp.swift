import Foundation
import LedgerDomain
import Synchronization

extension LedgerEngine {
    /// Folds, on a background thread, every member a restart left encoded
    /// (`DomainState(snapshot:…, lazily:)`), given in the snapshot's order
    /// (`DomainState.RestoreOrder`): walked that way, the snapshot's bytes and
    /// the members' boxes are read from one end to the other. The engine
    /// serves meanwhile: a query or an append that needs a member first folds
    /// it itself, so the warm-up only spares the first bloc-wide report that
    /// work. (A member the log's tail changed after the restore was folded
    /// then; its old box is passed over.)
    func foldMembersInBackground(_ runs: consuming [[Member]]) {
        guard case .snapshotFile = snapshotSource, runs.contains(where: { !$0.isEmpty }) else { return }
        // Held by the warm-up alone, so that each member it lets go is gone.
        let pending = Mutex(consume runs)
        warmUp.enter()
        warmUpQueue.async {
            defer { self.warmUp.leave() }
            let started = DispatchTime.now().uptimeNanoseconds
            var folded = 0
            // From the end: a bloc-wide report meanwhile reads the members
            // from the start of its own order, folding the ones it needs.
            // Each member is let go once folded (a box the log's tail replaced
            // goes with it), so the list holds only what is still to fold.
            while var run = pending.withLock({ $0.popLast() }) {
                while let member = run.popLast() {
                    if self.warmUpStop.load(ordering: .relaxed) { return }
                    if member.decodeIfNeeded() { folded += 1 }
                }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            self.logger.info("folded \(folded) members restored from the snapshot in the background (\(String(format: "%.2f", seconds)) s)")
        }
    }

    /// Waits until the background fold of restored members is done (or stopped).
    public func waitUntilMembersFolded() { warmUp.wait() }

    /// Stops the background fold and waits for it (shutdown).
    func stopFoldingMembers() {
        warmUpStop.store(true, ordering: .relaxed)
        warmUp.wait()
    }
}
