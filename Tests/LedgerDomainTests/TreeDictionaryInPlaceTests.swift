import HashTreeCollections
@testable import LedgerDomain
import Testing

/// The in-place updates a replay uses: a key there is changed where it lies;
/// a key not there leaves the dictionary as it was, in both forms.
@Suite struct TreeDictionaryInPlaceTests {
    @Test func existingKeysChangeAndMissingOnesLeaveNoTrace() {
        var map: TreeDictionary<String, [Int]> = [:]
        for i in 0..<2000 { map["k\(i)"] = [i] }
        let before = map
        var placeholders = 0
        for i in stride(from: 0, to: 2000, by: 3) {
            let one = map.modifyExisting("k\(i)") { value -> Int in
                value.append(-1)
                return value.count
            }
            let two = map.modifyExisting("k\(i)", placeholder: { placeholders += 1; return [] }) { value -> Int in
                value.append(-2)
                return value.count
            }
            #expect(one == 2 && two == 3)
        }
        #expect(placeholders == 0)
        for i in 0..<50 {
            #expect(map.modifyExisting("missing\(i)") { $0.append(0) } == nil)
            #expect(map.modifyExisting("missing\(i)", placeholder: { placeholders += 1; return [7] }) { $0.append(0) } == nil)
        }
        #expect(placeholders == 50, "the placeholder stood in, once for each missing key")
        #expect(map.count == 2000)
        for i in 0..<2000 {
            #expect(map["k\(i)"] == (i % 3 == 0 ? [i, -1, -2] : [i]))
        }
        #expect(before.count == 2000 && before["k0"] == [0], "a copy taken before is untouched")
    }
}
