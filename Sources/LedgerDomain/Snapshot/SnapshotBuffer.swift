/// Memory that holds a state snapshot, valid for as long as this object lives.
///
/// A restart reads a snapshot of hundreds of megabytes in place: the engine
/// maps the file and hands the mapping over (`init(borrowing:release:)`), so
/// no byte is copied into the heap and the members left encoded
/// (`EncodedMember`) point into the mapping until they are folded. The last
/// owner to let go calls `release` (the engine unmaps the file).
/// `init(_:)` copies an array, for bytes made in memory (tests, the legacy
/// LMDB row).
///
/// The bytes must not change while the buffer lives: the engine maps a file
/// that is only ever replaced by a rename, never written in place.
public final class SnapshotBuffer: @unchecked Sendable {
    // @unchecked: `bytes` is immutable memory after init; only `deinit` touches it again.
    public let bytes: UnsafeRawBufferPointer
    /// The same memory, bound to bytes (what the reader reads).
    let typed: UnsafeBufferPointer<UInt8>
    /// nil: the memory is this buffer's own (`init(_:)`), deallocated with it.
    private let release: (@Sendable () -> Void)?

    /// A copy of `array` in memory of its own.
    public convenience init(_ array: [UInt8]) {
        self.init(copying: array)
    }

    /// A copy of `source` (an array, or a slice of one) in memory of its own.
    public init(copying source: some Collection<UInt8>) {
        let count = source.count
        let memory = UnsafeMutableRawBufferPointer.allocate(byteCount: max(1, count), alignment: 16)
        _ = memory.initializeMemory(as: UInt8.self, from: source)
        bytes = UnsafeRawBufferPointer(start: memory.baseAddress!, count: count)
        typed = bytes.bindMemory(to: UInt8.self)
        release = nil
    }

    /// `bytes`, owned by the caller until `release` is called (once, when no
    /// reader or encoded member needs them any more).
    /// Precondition: `bytes` has a base address (is not an empty buffer without one).
    public init(borrowing bytes: UnsafeRawBufferPointer, release: @escaping @Sendable () -> Void) {
        precondition(bytes.baseAddress != nil, "a snapshot buffer needs memory")
        self.bytes = bytes
        typed = bytes.bindMemory(to: UInt8.self)
        self.release = release
    }

    deinit {
        if let release {
            release()
        } else {
            UnsafeMutableRawPointer(mutating: bytes.baseAddress!).deallocate()
        }
    }

    public var count: Int { bytes.count }

    /// A copy of the bytes (tests).
    public var array: [UInt8] { Array(bytes) }
}

extension SnapshotBuffer: Equatable {
    public static func == (a: SnapshotBuffer, b: SnapshotBuffer) -> Bool {
        a === b || a.bytes.elementsEqual(b.bytes)
    }
}
