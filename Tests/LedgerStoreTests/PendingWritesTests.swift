import CLMDB
@testable import LedgerDemo
@testable import LedgerStore
import Testing

/// A batch's in-memory writes against a plain model: random puts (appended
/// and not), deletes and nested savepoints; every lookup, and the writes the
/// committer replays, must agree with the model.
@Suite struct PendingWritesTests {
    let appendDB = LMDBDatabase(dbi: 2, name: "log")
    let randomDB = LMDBDatabase(dbi: 3, name: "streams")

    /// What the batch must answer: per database, key → value (nil: deleted).
    typealias Model = [MDB_dbi: [[UInt8]: [UInt8]?]]

    private func bigEndian(_ n: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: n >> (56 - 8 * $0)) } }

    @Test(arguments: 0..<40)
    func lookupsAndReplayAgreeWithAModel(seed: Int) {
        var random = DemoRandom(seed: UInt64(seed))  // SplitMix64: a failing seed replays exactly
        let earlier = PendingWrites(earlier: [])
        var earlierModel: Model = [:]
        var nextAppend: UInt64 = 1
        // An earlier staged batch, sealed, that the second one reads through.
        for _ in 0..<20 {
            let key = bigEndian(nextAppend)
            nextAppend += 1
            let value = [UInt8](repeating: UInt8(random.below(256)), count: random.below(40))
            earlier.put(appendDB, key: key, value: value, flags: UInt32(MDB_APPEND))
            earlierModel[appendDB.dbi, default: [:]][key] = .some(value)
            let randomKey = [UInt8("k".utf8.first!), UInt8(random.below(12))]
            let randomValue: [UInt8] = [1, UInt8(random.below(256))]
            earlier.put(randomDB, key: randomKey, value: randomValue, flags: 0)
            earlierModel[randomDB.dbi, default: [:]][randomKey] = .some(randomValue)
        }
        earlier.seal()

        let batch = PendingWrites(earlier: [earlier])
        var model: Model = [:]
        var stack: [(PendingWrites.Mark, Model, UInt64)] = []
        func expected(_ db: LMDBDatabase, _ key: [UInt8]) -> [UInt8]?? {
            if let own = model[db.dbi]?[key] { return .some(own) }
            if let old = earlierModel[db.dbi]?[key] { return .some(old) }
            return nil
        }
        for _ in 0..<400 {
            switch random.below(10) {
            case 0, 1:
                let key = bigEndian(nextAppend)
                nextAppend += 1
                let value = (0..<random.below(30)).map { _ in UInt8(random.below(256)) }
                batch.put(appendDB, key: key, value: value, flags: UInt32(MDB_APPEND))
                model[appendDB.dbi, default: [:]][key] = .some(value)
            case 2, 3, 4:
                let key = [UInt8("k".utf8.first!), UInt8(random.below(12))]
                let value = (0..<random.below(20)).map { _ in UInt8(random.below(256)) }
                batch.put(randomDB, key: key, value: value, flags: 0)
                model[randomDB.dbi, default: [:]][key] = .some(value)
            case 5:
                let key = [UInt8("k".utf8.first!), UInt8(random.below(12))]
                batch.delete(randomDB, key: key)
                model[randomDB.dbi, default: [:]][key] = .some(nil)
            case 6 where stack.count < 4:
                stack.append((batch.beginSavepoint(), model, nextAppend))
            case 7 where !stack.isEmpty:
                let (mark, saved, savedAppend) = stack.removeLast()
                let keep = random.below(2) == 0
                batch.endSavepoint(mark, keep: keep)
                if !keep {
                    model = saved
                    nextAppend = savedAppend
                }
            default:
                let key = [UInt8("k".utf8.first!), UInt8(random.below(14))]
                #expect(batch.lookup(randomDB, key) == expected(randomDB, key), "seed \(seed), key \(key)")
                let seq = UInt64(random.below(Int(nextAppend) + 2))
                #expect(batch.lookup(appendDB, bigEndian(seq)) == expected(appendDB, bigEndian(seq)), "seed \(seed), seq \(seq)")
            }
        }
        while let (mark, _, _) = stack.popLast() { batch.endSavepoint(mark, keep: true) }
        batch.seal()

        // Replaying the writes in order leaves the model's state.
        var replayed: Model = [:]
        batch.forEachOp { db, isDelete, key, value, _ in
            replayed[db.dbi, default: [:]][Array(key)] = isDelete ? .some(nil) : .some(Array(value))
        }
        #expect(replayed == model, "seed \(seed)")
        for (dbi, entries) in model {
            let db = dbi == appendDB.dbi ? appendDB : randomDB
            for (key, value) in entries { #expect(batch.lookup(db, key) == .some(value), "seed \(seed)") }
        }
    }
}
