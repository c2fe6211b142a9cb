@testable import LedgerDomain
import Testing

@Suite("AppendOnlyList: an array that copies cheaply")
struct AppendOnlyListTests {
    /// Every length around the chunk boundaries reads back like an array.
    @Test func readsBackLikeAnArray() {
        let size = AppendOnlyList<Int>.chunkSize
        for n in [0, 1, size - 1, size, size + 1, 2 * size, 5 * size + 3] {
            var list = AppendOnlyList<Int>()
            for i in 0..<n { list.append(i * 7) }
            let expected = (0..<n).map { $0 * 7 }
            #expect(Array(list) == expected, "n = \(n)")
            #expect(list.count == n && list.isEmpty == (n == 0))
            #expect(list.last == expected.last)
            #expect((0..<n).allSatisfy { list[$0] == expected[$0] })
            var visited: [Int] = []
            list.forEach { visited.append($0) }
            #expect(visited == expected)
            #expect(AppendOnlyList(expected) == list)
        }
    }

    /// A copy and its original grow apart without seeing each other's elements,
    /// at every position relative to a chunk boundary.
    @Test func copiesAreIndependent() {
        let size = AppendOnlyList<String>.chunkSize
        for n in [0, 3, size - 1, size, 2 * size + 1] {
            var original = AppendOnlyList((0..<n).map(String.init))
            var copy = original
            copy.append("copy")
            original.append("original")
            original.append("more")
            #expect(Array(copy) == (0..<n).map(String.init) + ["copy"])
            #expect(Array(original) == (0..<n).map(String.init) + ["original", "more"])
            #expect(copy != original)
        }
    }

    @Test func equalListsHashAlike() {
        let a: AppendOnlyList = [1, 2, 3]
        var b = AppendOnlyList<Int>()
        b.append(1); b.append(2); b.append(3)
        #expect(a == b && a.hashValue == b.hashValue)
        #expect(a != [1, 2] && a != [1, 2, 4])
        #expect(a.description == "[1, 2, 3]")
    }
}
