import Foundation
import Testing
@testable import LedgerStore

/// Map growth needs every read transaction of the process closed, and the
/// gate that ensures it prefers writers: a growth waiting behind a long
/// reader (a backup, a verify) held the writer and, behind it, every new
/// reader. Growth ahead of need now waits for nothing: commits go on in the
/// headroom while the reader runs, and the map grows once it has finished.
@Suite struct MapGrowthWithReaderTests {
    @Test func commitsPastTheGrowthThresholdDoNotWaitForALongReader() throws {
        let dir = TempDir()
        let store = try openStore(dir, mapBytes: 1 << 20)
        let map = store.env.mapSizeBytes
        try appendRecords(store, count: 200, perBatch: 50, padding: 300)
        #expect(store.env.usedBytes() * 100 < map * 60, "the test starts below the threshold")

        // A long reader on its own thread, open until released.
        let readerOpen = DispatchSemaphore(value: 0)
        let releaseReader = DispatchSemaphore(value: 0)
        let readerDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = try? store.read { _ in
                readerOpen.signal()
                releaseReader.wait()
            }
            readerDone.signal()
        }
        readerOpen.wait()

        // Commits, one record each, until the map is past the threshold
        // (pages freed after the reader's snapshot cannot be reused meanwhile).
        let appended = Counter()
        let appendsDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            while appended.value < 400 && store.env.usedBytes() * 100 <= map * 82 {
                guard (try? appendRecords(store, count: 1, perBatch: 1, padding: 300)) != nil else { break }
                appended.add()
            }
            appendsDone.signal()
        }
        let finished = appendsDone.wait(timeout: .now() + 30) == .success
        #expect(finished, "the commits waited for the reader to finish")
        #expect(store.env.usedBytes() * 100 > map * 75, "the commits went past the growth threshold")
        #expect(store.env.mapSizeBytes == map, "no growth while the reader is open")

        releaseReader.signal()
        readerDone.wait()
        if !finished { appendsDone.wait() }
        // With the reader gone, the next commit grows the map.
        try appendRecords(store, count: 1, perBatch: 1, padding: 300)
        #expect(store.env.mapSizeBytes > map)
        #expect(store.size == UInt64(200 + appended.value + 1))
    }
}

/// A count shared between threads.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func add() { lock.withLock { count += 1 } }
}
