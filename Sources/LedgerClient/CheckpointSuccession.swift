import LedgerMerkle

/// How a ledger's checkpoint stands to one of the same ledger verified
/// before: the two checks every holder of an earlier checkpoint makes
/// before believing a later one (`ledgerctl`'s remembered checkpoints, and
/// `verify-export --resume`). A later one of more events still needs its
/// extension proved (a consistency proof, or every new leaf).
public enum CheckpointSuccession: Equatable, Sendable {
    /// The same tree.
    case same
    /// More events: an extension, once proved.
    case grows
    /// Fewer events than verified before: an older checkpoint, or a ledger rolled back.
    case rolledBack
    /// As many events with another root: two histories signed.
    case forked
    /// Another ledger's checkpoint.
    case otherLedger

    public init(from old: Checkpoint, to new: Checkpoint) {
        if Array(old.origin.utf8) != Array(new.origin.utf8) {
            self = .otherLedger
        } else if new.size < old.size {
            self = .rolledBack
        } else if new.size > old.size {
            self = .grows
        } else {
            self = new.rootHash == old.rootHash ? .same : .forked
        }
    }
}
