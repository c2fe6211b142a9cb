/// The release of ledgerd and ledgerctl (`--version`; `version` in `status`).
/// The on-disk format has its own number (`StoreLayout.formatVersion`),
/// checked at open; this one is for people and upgrade scripts.
public enum LedgerVersion {
    public static let string = "0.1.0"
}
