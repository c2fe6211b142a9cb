import HashTreeCollections

extension TreeDictionary {
    /// Calls `body` with the value stored for `key` where it lies in its trie
    /// node, and returns what `body` returns; nil, calling nothing and
    /// inserting nothing, if there is no such key.
    ///
    /// `updateValue(forKey:with:)` (through the `Value?` subscript) moves the
    /// item out of its node and back, which copies it once (a retain and a
    /// release of each reference inside); a replay updates a member's counts
    /// ten times an event, so this path looks the key up and then updates it
    /// in place: the second walk down finds the nodes in the cache.
    @inlinable
    mutating func modifyExisting<R>(_ key: Key, _ body: (inout Value) -> R) -> R? {
        guard keys.contains(key) else { return nil }
        return updateValue(forKey: key, default: Self.neverInserted()) { body(&$0) }
    }

    /// The default of a key just found: never evaluated.
    @usableFromInline
    static func neverInserted() -> Value { preconditionFailure("the key was found just before") }

    /// As `modifyExisting(_:_:)`, in one walk down the trie instead of two:
    /// a key not there gets `placeholder()` for a moment, which is removed
    /// again before this returns nil (a damaged log's case only).
    @inlinable
    mutating func modifyExisting<R>(_ key: Key, placeholder: () -> Value, _ body: (inout Value) -> R) -> R? {
        var inserted = false
        let result: R? = updateValue(forKey: key, default: { inserted = true; return placeholder() }()) { value in
            inserted ? nil : body(&value)
        }
        if inserted { removeValue(forKey: key) }
        return result
    }
}
