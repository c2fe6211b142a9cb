import HashTreeCollections

/// The current state the rules need and the projections read: every entity
/// (organizations, members, inspections, disciplines) with its history, and
/// which seqs are retracted. It grows with entities, not with meetings:
/// meetings leave only per-quarter counts on their cell.
///
/// Use: `check` an event (pure), then `apply` it with the seq it was stored
/// under. Replays call `apply` alone, in seq order. Savepoints undo applies
/// (group commit). A state is a value: copies are O(1) and independent, and
/// the entity maps are persistent hash tries (`TreeDictionary`), so changing
/// one member of a copy rewrites O(log n) trie nodes rather than the whole map.
/// That is what lets the engine publish a fresh snapshot after every commit.
///
/// Invariants (checked by the tests, guarded by the rules):
/// - every member's cell, every organization's parent exists;
/// - a member who left receives no member events; roles are held only in the
///   member's cell or above it;
/// - `membersByCell` and `childrenByParent` agree with the entities;
/// - `references.count` of an entity counts the non-retracted later events naming it.
public struct DomainState: Sendable {
    public internal(set) var organizations: TreeDictionary<String, Organization> = [:]
    public internal(set) var members: TreeDictionary<String, Member> = [:]
    public internal(set) var inspections: TreeDictionary<String, Inspection> = [:]
    public internal(set) var disciplines: TreeDictionary<String, Discipline> = [:]
    /// Retracted seq → the seq of the `EventRetracted` that retracted it.
    public internal(set) var retracted: TreeDictionary<UInt64, UInt64> = [:]
    /// The last seq applied (0 for a new state).
    public internal(set) var appliedSeq: UInt64 = 0

    /// Derived index: organization code → codes of its direct children.
    public internal(set) var childrenByParent: TreeDictionary<String, Set<String>> = [:]
    /// Derived index: cell code → ids of the members whose (last) cell it is, active or not.
    public internal(set) var membersByCell: TreeDictionary<String, Set<String>> = [:]

    /// The undo log of the open savepoints (empty when none is open).
    var undoLog: [UndoStep] = []
    var openSavepoints = 0
    /// Member reference counts kept aside while a replay runs (nil otherwise).
    var replayReferences: ReplayReferences?

    public init() {}

    // MARK: Queries the rules and projections share

    /// Whether `seq` was retracted.
    public func isRetracted(_ seq: UInt64) -> Bool { retracted[seq] != nil }

    /// The codes above `code`, nearest first (parent, grandparent, …).
    public func ancestors(of code: String) -> [String] {
        var out: [String] = []
        var current = organizations[code]?.parent
        while let c = current, out.count <= organizations.count {
            out.append(c)
            current = organizations[c]?.parent
        }
        return out
    }

    /// `code` and every organization under it, parents before children.
    public func subtree(of code: String) -> [String] {
        guard organizations[code] != nil else { return [] }
        var out = [code]
        var i = 0
        while i < out.count {
            out.append(contentsOf: (childrenByParent[out[i]] ?? []).sorted())
            i += 1
        }
        return out
    }

    /// Active members of `cell` (current state), sorted by id.
    public func activeMembers(ofCell cell: String) -> [Member] {
        (membersByCell[cell] ?? []).sorted().compactMap { members[$0] }.filter(\.isActive)
    }
}

extension DomainState: Equatable {
    /// Equal entities, retractions and applied seq (open savepoints are not compared).
    public static func == (a: DomainState, b: DomainState) -> Bool {
        a.appliedSeq == b.appliedSeq && a.organizations == b.organizations && a.members == b.members
            && a.inspections == b.inspections && a.disciplines == b.disciplines && a.retracted == b.retracted
            && a.childrenByParent == b.childrenByParent && a.membersByCell == b.membersByCell
    }
}
