import Foundation
import LedgerDomain
import LedgerJSON
import LedgerStore

extension LedgerEngine {
    /// Recomputes every projection from the log into a fresh state (the
    /// published one is untouched while it runs) and compares the two by their
    /// canonical snapshot bytes and SHA-256 digest. A mismatch means the live
    /// projections drifted from the log: it is reported, and the writer swaps
    /// the fresh state in before its next commit.
    public func rebuild(progress: ((UInt64, UInt64) -> Void)? = nil) throws -> JSONValue {
        let started = DispatchTime.now().uptimeNanoseconds
        let (fresh, live, target) = try withSnapshot(long: true) { live, view -> (DomainState, DomainState, UInt64) in
            var fresh = DomainState()
            try PipelinedReplay.replay(into: &fresh, view: view, from: 1, through: live.appliedSeq,
                                           progress: progress)
            return (fresh, live, live.appliedSeq)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        // The two snapshots compared are made on two threads at once. (The
        // fresh state is freed here: freed in the background, it slowed a
        // rebuild that came right after.)
        let liveSnapshot = SnapshotOnThread(live)
        let freshBytes = fresh.snapshot()
        let liveBytes = liveSnapshot.bytes()
        let matches = freshBytes == liveBytes
        // The writer's own answer: it declines when events were appended
        // while the log was replayed (the rebuilt state is then behind).
        let swapped = matches ? false : requestSwap(fresh)
        var result: [String: JSONValue] = [
            "events": .int(Int64(target)), "seconds": .double((seconds * 1000).rounded() / 1000),
            "eventsPerSecond": .int(Int64(Double(target) / max(seconds, 1e-9))),
            "digest": .string(Self.digestHex(freshBytes)), "liveDigest": .string(Self.digestHex(liveBytes)),
            "matches": .bool(matches), "swapped": .bool(swapped),
        ]
        if !matches && !swapped {
            result["note"] = .string(
                "the rebuilt state was not swapped in (events were appended while the log was replayed, or another "
                    + "rebuild or a shutdown came first); run rebuild again")
        }
        return .object(result)
    }

    static func digestHex(_ bytes: [UInt8]) -> String {
        CanonicalDigest.sha256Hex(bytes)
    }
}

/// A state's snapshot bytes, made on a thread of its own.
private final class SnapshotOnThread: @unchecked Sendable {
    // @unchecked: `result` is written by the thread before `done` is
    // signalled and read after it.
    private var result: [UInt8] = []
    private let done = DispatchSemaphore(value: 0)

    init(_ state: DomainState) {
        PipelinedReplay.startThread(named: "ledger-rebuild-snapshot") { [self] in
            result = state.snapshot()
            done.signal()
        }
    }

    func bytes() -> [UInt8] {
        done.wait()
        return result
    }
}

