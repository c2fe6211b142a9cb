import Foundation
import Synchronization
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

extension MapGrowthWithReaderTests {
    /// A commit that meets a full map must wait for a long reader to end
    /// before the map can grow. It used to queue on the gate for it, which
    /// prefers writers: every new reader, each query of the daemon, waited
    /// behind it until the long reader ended. Now it waits beside the gate
    /// and short readers go on.
    @Test func aGrowthWaitingForALongReaderHoldsBackNeitherShortReadersNorItself() throws {
        let dir = TempDir()
        let store = try openStore(dir, mapBytes: 1 << 20)
        let map = store.env.mapSizeBytes
        try appendRecords(store, count: 200, perBatch: 50, padding: 300)

        // A long reader (as a backup or a verify marks itself), open until released.
        let readerOpen = DispatchSemaphore(value: 0)
        let releaseReader = DispatchSemaphore(value: 0)
        let readerDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = try? store.read(long: true) { _ in
                readerOpen.signal()
                releaseReader.wait()
            }
            readerDone.signal()
        }
        readerOpen.wait()

        // Commits, one record each: pages freed after the reader's snapshot
        // cannot be reused, so the map fills and a commit must grow it.
        let appended = Counter()
        let stop = Counter()
        let appendsDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            while appended.value < 5_000 && stop.value == 0 {
                guard (try? appendRecords(store, count: 1, perBatch: 1, padding: 300)) != nil else { break }
                appended.add()
            }
            appendsDone.signal()
        }
        // Until a commit waits to grow the map.
        let deadline = Date().addingTimeInterval(120)
        while store.env.gate.exclusiveWaiters.load(ordering: .sequentiallyConsistent) == 0 && Date() < deadline {
            if appendsDone.wait(timeout: .now() + .milliseconds(10)) == .success { break }
        }
        #expect(store.env.gate.exclusiveWaiters.load(ordering: .sequentiallyConsistent) == 1,
                "no growth waits (\(appended.value) appended)")
        #expect(store.env.mapSizeBytes == map, "the map grew while the long reader was open")

        // Short readers meanwhile are not held back.
        let shortReadsDone = DispatchSemaphore(value: 0)
        let sizes = Counter()
        Thread.detachNewThread {
            for _ in 0..<20 {
                if (try? store.read { try $0.size() }) != nil { sizes.add() }
            }
            shortReadsDone.signal()
        }
        let answered = shortReadsDone.wait(timeout: .now() + 30) == .success
        #expect(answered, "a short read waited behind the growth, which waits for the long reader")

        // A new long reader waits for the growth: long readers one after
        // another cannot put it off for ever.
        let mapSeenBySecond = Counter()
        let secondDone = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            _ = try? store.read(long: true) { _ in
                for _ in 0..<(store.env.mapSizeBytes > map ? 1 : 0) { mapSeenBySecond.add() }
            }
            secondDone.signal()
        }
        #expect(secondDone.wait(timeout: .now() + 1) == .timedOut, "a second long reader started while the growth waited")

        stop.add()
        releaseReader.signal()
        readerDone.wait()
        if !answered { shortReadsDone.wait() }
        // With the first reader gone, the map grows, the stuck commit goes
        // through, and then the second reader starts.
        #expect(appendsDone.wait(timeout: .now() + 120) == .success)
        #expect(secondDone.wait(timeout: .now() + 120) == .success)
        #expect(mapSeenBySecond.value == 1, "the second long reader started before the map grew")
        #expect(sizes.value == 20)
        #expect(store.env.mapSizeBytes > map)
        #expect(store.size == UInt64(200 + appended.value))
    }
}

/// A count shared between threads.
private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    var value: Int { lock.withLock { count } }
    func add() { lock.withLock { count += 1 } }
}
