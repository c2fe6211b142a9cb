import Foundation
@testable import LedgerEngine
import LedgerDomain
import LedgerJSON
import LedgerMerkle
import LedgerStore
import Testing

/// The state snapshot file: written in the background, used at startup only
/// when it is intact and belongs to this log, replayed around otherwise.
@Suite struct SnapshotFileTests {
    static func ledger(_ dir: TempDir, snapshotEvery: UInt64 = 100_000, extra: [JSONValue] = []) async throws {
        let engine = try openEngine(dir, snapshotEvery: snapshotEvery)
        let outcomes = await engine.append(setupEvents + extra, actor: tester, atomic: true)
        #expect(outcomes.allSatisfy { $0.seq != nil })
        engine.shutdown()
    }

    static func memberNames(_ engine: LedgerEngine) throws -> [String] {
        try engine.withSnapshot { state, _ in state.members.values.map(\.name).sorted() }
    }

    @Test func aRestartLoadsTheFileAndGetsTheSameState() async throws {
        let dir = TempDir()
        try await Self.ledger(dir)
        let file = try #require(try SnapshotFile.read(in: dir.path))
        #expect(file.seq == 7)
        let engine = try openEngine(dir)
        defer { engine.shutdown() }
        #expect(engine.snapshotSource == .snapshotFile(seq: 7, current: true))
        #expect(try engine.status()["snapshotSeq"] == 7)
        #expect(try Self.memberNames(engine) == ["Lê Văn Cường", "Nguyễn Văn An", "Trần Thị Bình"])
        #expect(try engine.verify()["ok"] == true)
    }

    /// A restart folds no member: they stay encoded until first read (a
    /// query, an append) or until the background fold reaches them, and the
    /// ledger answers and goes on all the same.
    @Test func restoredMembersAreFoldedOnFirstUseOrInTheBackground() async throws {
        let dir = TempDir()
        try await Self.ledger(dir)
        let engine = try openEngine(dir)
        defer { engine.shutdown() }
        let task = event("MemberTaskAssigned", ["memberId": "M002", "task": "Sau khi khởi động lại"])
        #expect(await engine.append([task], actor: tester, atomic: true).first?.seq == 8)
        #expect(try engine.withSnapshot { state, _ in state.members["M002"]?.tasks.map(\.task) } == ["Sau khi khởi động lại"])
        engine.waitUntilMembersFolded()
        #expect(try engine.withSnapshot { state, _ in state.members.values.allSatisfy { !$0.isStillEncoded } })
        #expect(try Self.memberNames(engine) == ["Lê Văn Cường", "Nguyễn Văn An", "Trần Thị Bình"])
        #expect(try engine.verify()["ok"] == true)
    }

    /// The file is read in place (mapped): members left encoded point into
    /// the mapping, which outlives the file being replaced and removed, and
    /// goes when the last of them is folded.
    @Test func encodedMembersReadTheMappedFileUntilTheLastIsFolded() async throws {
        let dir = TempDir()
        try await Self.ledger(dir)
        let mappings = { () -> Int in
            // /proc files report no size: read them through a handle to the end.
            let maps = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/maps")).readToEnd()) ?? nil
            return String(decoding: maps ?? Data(), as: UTF8.self).split(separator: "\n")
                .filter { $0.contains(dir.path + "/" + SnapshotFile.name) }.count
        }
        let expected = try DomainState(snapshot: #require(try SnapshotFile.read(in: dir.path)).payload.array)
        var lazy: DomainState? = try DomainState(
            snapshot: #require(try SnapshotFile.read(in: dir.path)).payload, lazily: DomainState.LazyMembers())
        #expect(mappings() == 1)
        // Replaced by a rename, then removed: the mapping still reads the old bytes.
        let root = try #require(try SnapshotFile.read(in: dir.path)).root
        try SnapshotFile.write(.init(seq: 1, root: root, payload: Array(repeating: 0xEE, count: 4096)), in: dir.path)
        SnapshotFile.remove(in: dir.path)
        #expect(lazy!.members.values.allSatisfy { $0.isStillEncoded })
        #expect(lazy! == expected)  // every member folded from the mapping
        #expect(lazy!.members.values.allSatisfy { !$0.isStillEncoded })
        #expect(mappings() == 0)  // the folds let go of the file
        lazy = nil
    }

    /// A kernel without `MADV_POPULATE_READ` (before 5.14) refuses it with
    /// EINVAL: the payload is then read into the heap, with the same bytes
    /// and the same checks.
    @Test func withoutPopulateTheFileIsReadIntoTheHeap() async throws {
        let dir = TempDir()
        try await Self.ledger(dir)
        let refused: Int32 = 0x7fff  // no such advice: EINVAL, as an older kernel answers the real one
        let mapped = try #require(try SnapshotFile.read(in: dir.path))
        let heap = try #require(try SnapshotFile.read(in: dir.path, populate: refused))
        #expect(heap.payload == mapped.payload && heap.seq == mapped.seq && heap.root == mapped.root)
        let lazy = try DomainState(snapshot: heap.payload, lazily: DomainState.LazyMembers())
        #expect(lazy == (try DomainState(snapshot: mapped.payload.array)))
        // Damage is still found by the checksum on that path.
        let path = SnapshotFile.path(in: dir.path)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count - 1] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(throws: SnapshotFile.Damaged.self) { try SnapshotFile.read(in: dir.path, populate: refused) }
    }

    /// A member whose bytes do not decode, in a file whose checksum holds (a
    /// bug, or a crafted file), cannot be answered for: the process stops,
    /// but removes the file first, so the next start replays the log.
    @Test func aMemberThatDoesNotDecodeRemovesTheFileAndStopsTheProcess() async throws {
        let dir = TempDir()
        try await Self.ledger(dir)
        let file = try #require(try SnapshotFile.read(in: dir.path))
        var payload = file.payload.array
        let name = Array("Trần Thị Bình".utf8)
        let at = try #require((0..<(payload.count - name.count)).first { payload[$0..<($0 + name.count)].elementsEqual(name) })
        payload[at - 2] = 99  // her registration's change tag: no such change
        try SnapshotFile.write(.init(seq: file.seq, root: file.root, payload: payload), in: dir.path)
        #expect(try SnapshotFile.read(in: dir.path) != nil)  // the checksum holds

        let path = dir.path
        await #expect(processExitsWith: .failure) { [path = dir.path as String] in
            let engine = try LedgerEngine(configuration: EngineConfiguration(dataDirectory: path, origin: "test.local/dang-bo"))
            _ = try engine.withSnapshot { state, _ in state.members.values.map(\.name) }
        }
        #expect(!FileManager.default.fileExists(atPath: SnapshotFile.path(in: path)))
        let engine = try openEngine(dir)
        defer { engine.shutdown() }
        #expect(engine.snapshotSource == .replay)
        #expect(try Self.memberNames(engine) == ["Lê Văn Cường", "Nguyễn Văn An", "Trần Thị Bình"])
    }

    /// A snapshot of the format before this one is still used, and written
    /// again in this build's format at shutdown.
    @Test func anOlderFormatIsReadThenRewritten() async throws {
        let dir = TempDir()
        try await Self.ledger(dir)
        let file = try #require(try SnapshotFile.read(in: dir.path))
        let state = try DomainState(snapshot: file.payload)
        let older = state.snapshot(membersPerChunk: DomainState.snapshotMembersPerChunk, format: .version2)
        try SnapshotFile.write(.init(seq: file.seq, root: file.root, payload: older), in: dir.path)
        var engine = try openEngine(dir)
        #expect(engine.snapshotSource == .snapshotFile(seq: 7, current: false))
        #expect(try Self.memberNames(engine).count == 3)
        engine.shutdown()
        #expect(try SnapshotFile.read(in: dir.path)?.payload == file.payload)
        engine = try openEngine(dir)
        defer { engine.shutdown() }
        #expect(engine.snapshotSource == .snapshotFile(seq: 7, current: true))
        #expect(try engine.verify()["ok"] == true)
    }

    @Test func aDamagedFileIsIgnoredAndTheLogReplayed() async throws {
        let dir = TempDir()
        try await Self.ledger(dir)
        let path = SnapshotFile.path(in: dir.path)
        var bytes = try #require(FileManager.default.contents(atPath: path))
        bytes[bytes.count - 3] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: path))
        #expect(throws: SnapshotFile.Damaged.self) { try SnapshotFile.read(in: dir.path) }
        let engine = try openEngine(dir)
        defer { engine.shutdown() }
        #expect(engine.snapshotSource == .replay)
        #expect(try Self.memberNames(engine).count == 3)
        #expect(try engine.verify()["ok"] == true)
    }

    @Test func aTruncatedOrEmptyFileIsDamaged() async throws {
        let dir = TempDir()
        try await Self.ledger(dir)
        let path = SnapshotFile.path(in: dir.path)
        let whole = try #require(FileManager.default.contents(atPath: path))
        for cut in [0, 10, SnapshotFile.headerBytes, whole.count - 1] {
            try whole.prefix(cut).write(to: URL(fileURLWithPath: path))
            #expect(throws: SnapshotFile.Damaged.self, "cut at \(cut)") { try SnapshotFile.read(in: dir.path) }
        }
        try (whole + [0]).write(to: URL(fileURLWithPath: path))
        #expect(throws: SnapshotFile.Damaged.self) { try SnapshotFile.read(in: dir.path) }
        try whole.write(to: URL(fileURLWithPath: path))
        #expect(try SnapshotFile.read(in: dir.path)?.seq == 7)
    }

    /// The checksum covers the payload block by block (the blocks are read and
    /// hashed on every core): any byte changed in any block fails it, a
    /// file cut short is refused, and a format 1 file (one SHA-256 of the
    /// whole payload) is still read.
    @Test func theChecksumCoversEveryBlockAndFormatOneIsStillRead() async throws {
        let dir = TempDir()
        try await Self.ledger(dir)
        let file = try #require(try SnapshotFile.read(in: dir.path))
        #expect(file.payload.count > 300)
        let path = SnapshotFile.path(in: dir.path)
        try SnapshotFile.write(file, in: dir.path, blockBytes: 64)
        #expect(try SnapshotFile.read(in: dir.path, blockBytes: 64)?.payload == file.payload)
        let whole = try #require(FileManager.default.contents(atPath: path))
        for at in [0, 63, 64, 200, file.payload.count - 1] {
            var changed = whole
            changed[SnapshotFile.headerBytes + at] ^= 0x20
            try changed.write(to: URL(fileURLWithPath: path))
            #expect(throws: SnapshotFile.Damaged.self, "byte \(at)") { try SnapshotFile.read(in: dir.path, blockBytes: 64) }
        }
        // (Refused by the length in the header, before any of it is read; a
        // file cut after that fails its read, a path this test does not reach.)
        try whole.prefix(whole.count - 70).write(to: URL(fileURLWithPath: path))
        #expect(throws: SnapshotFile.Damaged.self) { try SnapshotFile.read(in: dir.path, blockBytes: 64) }

        try SnapshotFile.write(file, in: dir.path, format: 1)
        let one = try #require(FileManager.default.contents(atPath: path))
        #expect(Array(one[4..<8]) == [0, 0, 0, 1])
        #expect(try SnapshotFile.read(in: dir.path)?.payload == file.payload)
        let engine = try openEngine(dir)
        #expect(engine.snapshotSource == .snapshotFile(seq: 7, current: false))
        #expect(try Self.memberNames(engine).count == 3)
        engine.shutdown()  // writes it again in this build's format
        let again = try #require(FileManager.default.contents(atPath: path))
        #expect(Array(again[4..<8]) == [0, 0, 0, 2])
        #expect(try SnapshotFile.read(in: dir.path)?.payload == file.payload)
    }

    @Test func aSnapshotOfAnotherLogOrBeyondThisOneIsIgnored() async throws {
        let real = TempDir(), other = TempDir()
        try await Self.ledger(real)
        try await Self.ledger(other, extra: [event("MemberTaskAssigned", ["memberId": "M002", "task": "Khác"])])
        let foreign = try #require(try SnapshotFile.read(in: other.path))  // seq 8: beyond the real log's 7
        try SnapshotFile.write(foreign, in: real.path)
        var engine = try openEngine(real)
        #expect(engine.snapshotSource == .replay)
        engine.shutdown()  // writes a good snapshot again
        #expect(try SnapshotFile.read(in: real.path)?.seq == 7)

        // Same seq, other root: the other ledger's state at 7 under its own root.
        let realFile = try #require(try SnapshotFile.read(in: real.path))
        let otherRoot = try TreeHash(Array(repeating: 0xAB, count: 32))
        try SnapshotFile.write(.init(seq: 7, root: otherRoot, payload: realFile.payload), in: real.path)
        engine = try openEngine(real)
        defer { engine.shutdown() }
        #expect(engine.snapshotSource == .replay)
        #expect(try engine.verify()["ok"] == true)
    }

    @Test func snapshotsAreWrittenInTheBackgroundAsEventsCome() async throws {
        let dir = TempDir()
        let engine = try openEngine(dir, snapshotEvery: 3)
        defer { engine.shutdown() }
        _ = await engine.append(setupEvents, actor: tester, atomic: true)
        for i in 0..<5 {
            let task = event("MemberTaskAssigned", ["memberId": "M001", "task": .string("Việc \(i)")])
            #expect(await engine.append([task], actor: tester, atomic: true).first?.seq != nil)
        }
        engine.snapshotQueue.sync {}
        let file = try #require(try SnapshotFile.read(in: dir.path))
        #expect(file.seq >= 7 && file.seq <= 12)
        let root = try engine.read { try MerkleProofs.root(size: file.seq, nodes: $0) }
        #expect(file.root == root)
    }

    @Test func aLegacySnapshotRowIsMovedToTheFile() async throws {
        let dir = TempDir()
        try await Self.ledger(dir)
        let file = try #require(try SnapshotFile.read(in: dir.path))
        SnapshotFile.remove(in: dir.path)
        var options = StoreOptions(origin: "test.local/dang-bo")
        options.indexNames = LedgerEngine.storeIndexNames
        let store = try EventStore(dataDirectory: dir.path, options: options)
        try store.write {
            try $0.putIndex(ProjectionIndexes.snapshots, key: ProjectionIndexes.stateKey,
                            value: ByteKeys.u64(file.seq) + file.payload.array)
        }
        store.close()

        let engine = try openEngine(dir)
        #expect(engine.snapshotSource == .legacyRow(seq: 7))
        #expect(try engine.read { try $0.getIndex(ProjectionIndexes.snapshots, key: ProjectionIndexes.stateKey) } == nil)
        #expect(try SnapshotFile.read(in: dir.path)?.payload == file.payload)
        #expect(try Self.memberNames(engine).count == 3)
        engine.shutdown()
    }
}
