/// How a store is opened. Every size has a limit.
public struct StoreOptions: Sendable {
    /// The checkpoint origin and signing-key name, e.g. "ledger.local/dang-bo-01".
    /// A C2SP key name: non-empty, no spaces, no "+".
    public var origin: String
    /// The map size at creation; it grows by doubling (LMDB: the map is the
    /// largest the file may grow without a resize).
    public var mapSizeInitialBytes: Int = 64 << 20
    /// The map never grows past this (disk space is finite; a full map refuses
    /// appends with `map-full` rather than filling the disk).
    public var mapSizeMaxBytes: Int = 1 << 40
    /// The map grows before a write when more than this fraction is used
    /// (percent), so that a write rarely meets MDB_MAP_FULL.
    public var mapGrowthThresholdPercent: Int = 75
    /// Named databases the engine keeps beside the log (projection indexes),
    /// written in the same transactions as the events.
    public var indexNames: [String] = []
    /// Record bytes above this are refused before they reach LMDB.
    public var recordBytesMax: Int = 256 << 10

    public init(origin: String) {
        self.origin = origin
    }
}
