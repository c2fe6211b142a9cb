/// An append-only sequence whose copies share storage: appending to a copy
/// copies at most one chunk and the chunk table, never the whole list.
///
/// Why: the writer publishes its state after every commit and keeps the
/// previous value of an entity for undo, so the entity it changes next is
/// nearly always shared. With a plain `Array`, adding one timeline entry to a
/// shared member copied its whole timeline (and task list): O(history) per
/// event. Here full chunks are immutable once filled and shared by every copy;
/// only the partly filled last chunk is copied.
public struct AppendOnlyList<Element> {
    /// Elements per full chunk (a power of two; index arithmetic uses shifts).
    static var chunkShift: Int { 4 }
    static var chunkSize: Int { 1 << chunkShift }

    /// Filled chunks, each exactly `chunkSize` elements, never mutated.
    private var chunks: [[Element]] = []
    /// The last, partly filled chunk (fewer than `chunkSize` elements).
    private var tail: [Element] = []

    public init() {}

    public init(_ elements: some Sequence<Element>) {
        for element in elements { append(element) }
    }

    public mutating func append(_ element: Element) {
        // No capacity reserved up front: most members have a handful of
        // entries, and the tail grows by doubling to exactly one chunk.
        tail.append(element)
        if tail.count == Self.chunkSize {
            chunks.append(tail)
            tail = []
        }
    }
}

extension AppendOnlyList: RandomAccessCollection {
    public typealias Index = Int

    public var startIndex: Int { 0 }
    public var endIndex: Int { chunks.count << Self.chunkShift + tail.count }
    public var count: Int { endIndex }
    public var isEmpty: Bool { chunks.isEmpty && tail.isEmpty }

    public subscript(position: Int) -> Element {
        precondition(position >= 0 && position < endIndex, "AppendOnlyList index \(position) out of range 0..<\(endIndex)")
        let chunk = position >> Self.chunkShift
        if chunk < chunks.count { return chunks[chunk][position & (Self.chunkSize - 1)] }
        return tail[position - chunks.count << Self.chunkShift]
    }

    public var last: Element? { tail.last ?? chunks.last?.last }

    /// Walks the chunks directly (no index arithmetic per element): reports
    /// scan every member's tasks and timeline.
    public struct Iterator: IteratorProtocol {
        private let chunks: [[Element]]
        private let tail: [Element]
        private var chunk = 0
        private var current: IndexingIterator<[Element]>

        init(chunks: [[Element]], tail: [Element]) {
            self.chunks = chunks
            self.tail = tail
            current = (chunks.first ?? tail).makeIterator()
        }

        public mutating func next() -> Element? {
            while true {
                if let element = current.next() { return element }
                guard chunk < chunks.count else { return nil }
                chunk += 1
                current = (chunk < chunks.count ? chunks[chunk] : tail).makeIterator()
            }
        }
    }

    public func makeIterator() -> Iterator { Iterator(chunks: chunks, tail: tail) }

    /// Visits elements chunk by chunk (faster than indexing one by one).
    public func forEach(_ body: (Element) throws -> Void) rethrows {
        for chunk in chunks { for element in chunk { try body(element) } }
        for element in tail { try body(element) }
    }
}

extension AppendOnlyList: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: Element...) { self.init(elements) }
}

extension AppendOnlyList: Equatable where Element: Equatable {
    public static func == (a: Self, b: Self) -> Bool { a.count == b.count && a.elementsEqual(b) }
}

extension AppendOnlyList: Hashable where Element: Hashable {
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        forEach { hasher.combine($0) }
    }
}

extension AppendOnlyList: Sendable where Element: Sendable {}

extension AppendOnlyList: CustomStringConvertible {
    public var description: String { Array(self).description }
}
