import Logging

/// How an engine runs. Every queue and batch has a limit.
public struct EngineConfiguration: Sendable {
    public var dataDirectory: String
    /// Checkpoint origin and signing-key name (C2SP): no spaces, no "+".
    public var origin: String
    /// Events gathered into one write transaction at most.
    public var groupEventsMax: Int = 8_192
    /// Events one append request may carry.
    public var requestEventsMax: Int = 10_000
    /// Events waiting for the writer at most; past it appends are refused
    /// with `too-many-requests` (back-pressure instead of unbounded memory).
    public var queueEventsMax: Int = 200_000
    /// Bytes of events waiting for the writer at most (with `queueEventsMax`).
    public var queueBytesMax: Int = 256 << 20
    /// Bytes of events in one write transaction at most: keeps a group well
    /// inside LMDB's dirty-page limit (MDB_TXN_FULL) and bounds its memory.
    public var groupBytesMax: Int = 64 << 20
    /// Bytes of one event's canonical record at most.
    public var recordBytesMax: Int = 256 << 10
    /// A state snapshot is written after this many new events (and at
    /// shutdown), so a restart after a crash replays about this many; but no
    /// sooner than `snapshotQuietFactor` times the last snapshot's duration
    /// after it started, so that writing snapshots (in the background) takes
    /// at most 1/factor of one core while events pour in.
    public var snapshotEveryEvents: UInt64 = 100_000
    public var snapshotQuietFactor: Double = 10
    public var mapSizeInitialBytes: Int = 64 << 20
    public var mapSizeMaxBytes: Int = 1 << 40

    public init(dataDirectory: String, origin: String) {
        self.dataDirectory = dataDirectory
        self.origin = origin
    }
}
