import Foundation
import LedgerDomain

extension LedgerEngine {
    /// Folds, on a background thread, every member a restart left encoded
    /// (`DomainState(snapshot:…, lazily:)`). The engine serves meanwhile:
    /// a query or an append that needs a member first folds it itself, so
    /// the warm-up only spares the first bloc-wide report that work.
    func foldMembersInBackground(_ loaded: DomainState) {
        guard case .snapshotFile = snapshotSource, !loaded.members.isEmpty else { return }
        warmUp.enter()
        warmUpQueue.async {
            defer { self.warmUp.leave() }
            let started = DispatchTime.now().uptimeNanoseconds
            var folded = 0
            // From the end: a bloc-wide report meanwhile reads the members
            // from the start, folding the ones it needs, so the two fold
            // different members instead of waiting on each other's.
            let members = Array(loaded.members.values)
            for member in members.reversed() {
                if self.warmUpStop.load(ordering: .relaxed) { return }
                if member.decodeIfNeeded() { folded += 1 }
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
