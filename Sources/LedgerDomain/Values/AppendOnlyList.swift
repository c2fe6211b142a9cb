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
    @usableFromInline static var chunkShift: Int { 4 }
    @usableFromInline static var chunkSize: Int { 1 << chunkShift }

    /// Filled chunks, each exactly `chunkSize` elements, never mutated.
    @usableFromInline var chunks: [[Element]] = []
    /// The last, partly filled chunk (fewer than `chunkSize` elements).
    @usableFromInline var tail: [Element] = []

    @inlinable public init() {}

    @inlinable public init(_ elements: some Sequence<Element>) {
        for element in elements { append(element) }
    }

    /// Makes room for `count` elements in all, up to the first chunk's worth:
    /// a list built to a known length (a snapshot's fold) allocates its
    /// first chunk once instead of doubling it.
    @inlinable public mutating func reserveCapacity(_ count: Int) {
        if chunks.isEmpty { tail.reserveCapacity(Swift.min(count, Self.chunkSize)) }
    }

    @inlinable public mutating func append(_ element: Element) {
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

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { chunks.count << Self.chunkShift + tail.count }
    @inlinable public var count: Int { endIndex }
    @inlinable public var isEmpty: Bool { chunks.isEmpty && tail.isEmpty }

    @inlinable public subscript(position: Int) -> Element {
        precondition(position >= 0 && position < endIndex, "AppendOnlyList index \(position) out of range 0..<\(endIndex)")
        let chunk = position >> Self.chunkShift
        if chunk < chunks.count { return chunks[chunk][position & (Self.chunkSize - 1)] }
        return tail[position - chunks.count << Self.chunkShift]
    }

    @inlinable public var last: Element? { tail.last ?? chunks.last?.last }

    /// Walks the chunks directly (no index arithmetic per element): reports
    /// scan every member's tasks and timeline.
    public struct Iterator: IteratorProtocol {
        @usableFromInline let chunks: [[Element]]
        @usableFromInline let tail: [Element]
        @usableFromInline var chunk = 0
        @usableFromInline var current: IndexingIterator<[Element]>

        @inlinable init(chunks: [[Element]], tail: [Element]) {
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

    @inlinable public func makeIterator() -> Iterator { Iterator(chunks: chunks, tail: tail) }

    /// Visits elements chunk by chunk (faster than indexing one by one).
    @inlinable public func forEach(_ body: (Element) throws -> Void) rethrows {
        for chunk in chunks { for element in chunk { try body(element) } }
        for element in tail { try body(element) }
    }
}

extension AppendOnlyList: ExpressibleByArrayLiteral {
    @inlinable public init(arrayLiteral elements: Element...) { self.init(elements) }
}

extension AppendOnlyList: Equatable where Element: Equatable {
    @inlinable public static func == (a: Self, b: Self) -> Bool { a.count == b.count && a.elementsEqual(b) }
}

extension AppendOnlyList: Hashable where Element: Hashable {
    @inlinable public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        forEach { hasher.combine($0) }
    }
}

extension AppendOnlyList: Sendable where Element: Sendable {}

extension AppendOnlyList: CustomStringConvertible {
    @inlinable public var description: String { Array(self).description }
}
