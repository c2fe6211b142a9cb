/// Savepoints for group commit, with an undo log: each write records how to
/// put back what it replaced, so undoing a batch costs what the batch wrote,
/// never a copy of the state (100k+ members).
///
/// Savepoints nest; open with `beginSavepoint()`, close each with exactly one
/// `release` (keep the changes) or `rollback(to:)` (undo them), innermost
/// first. While none is open, nothing is recorded (replay pays nothing).
extension DomainState {
    public struct Savepoint: Sendable, Hashable {
        let logIndex: Int
        let depth: Int
    }

    struct UndoStep: Sendable {
        let undo: @Sendable (inout DomainState) -> Void
    }

    public mutating func beginSavepoint() -> Savepoint {
        precondition(replayReferences == nil, "a savepoint inside a replay")
        openSavepoints += 1
        return Savepoint(logIndex: undoLog.count, depth: openSavepoints)
    }

    /// Undoes every change since `savepoint` began and closes it (and any
    /// savepoint opened inside it).
    public mutating func rollback(to savepoint: Savepoint) {
        precondition(savepoint.depth <= openSavepoints, "rollback to a savepoint that is already closed")
        precondition(savepoint.logIndex <= undoLog.count, "savepoint is newer than the undo log")
        let depth = openSavepoints
        openSavepoints = 0  // undo steps must not record themselves
        while undoLog.count > savepoint.logIndex {
            let step = undoLog.removeLast()
            step.undo(&self)
        }
        openSavepoints = min(depth, savepoint.depth - 1)
        if openSavepoints == 0 { undoLog.removeAll(keepingCapacity: false) }
    }

    /// Keeps the changes since `savepoint` (they now belong to the enclosing
    /// savepoint, if any) and closes it.
    public mutating func release(_ savepoint: Savepoint) {
        precondition(savepoint.depth <= openSavepoints, "release of a savepoint that is already closed")
        openSavepoints = savepoint.depth - 1
        if openSavepoints == 0 { undoLog.removeAll(keepingCapacity: false) }
    }

    var recording: Bool { openSavepoints > 0 }

    // MARK: The only writers of the entity maps (they keep the indexes and the undo log)

    mutating func putOrganization(_ code: String, _ new: Organization?) {
        if recording {
            let old = organizations[code]
            undoLog.append(UndoStep { $0.storeOrganization(code, old) })
        }
        storeOrganization(code, new)
    }

    mutating func putMember(_ id: String, _ new: Member?) {
        if recording {
            let old = members[id]
            undoLog.append(UndoStep { $0.storeMember(id, old) })
        }
        storeMember(id, new)
    }

    mutating func putInspection(_ id: String, _ new: Inspection?) {
        if recording {
            let old = inspections[id]
            undoLog.append(UndoStep { $0.inspections[id] = old })
        }
        inspections[id] = new
    }

    mutating func putDiscipline(_ id: String, _ new: Discipline?) {
        if recording {
            let old = disciplines[id]
            undoLog.append(UndoStep { $0.disciplines[id] = old })
        }
        disciplines[id] = new
    }

    mutating func putRetracted(_ seq: UInt64, by retraction: UInt64?) {
        if recording {
            let old = retracted[seq]
            undoLog.append(UndoStep { $0.retracted[seq] = old })
        }
        retracted[seq] = retraction
    }

    mutating func putAppliedSeq(_ seq: UInt64) {
        if recording {
            let old = appliedSeq
            undoLog.append(UndoStep { $0.appliedSeq = old })
        }
        appliedSeq = seq
    }

    /// Writes without recording, keeping `childrenByParent` in step.
    mutating func storeOrganization(_ code: String, _ new: Organization?) {
        if new == nil { forgetBufferedOrganization(code) }
        // One walk down the trie: the old organization comes back from the store.
        let old = if let new { organizations.updateValue(new, forKey: code) } else { organizations.removeValue(forKey: code) }
        // Parents never change, except in a log the rules refuse (a code
        // registered again under another parent): the index follows either way.
        if let parent = old?.parent, parent != new?.parent {
            childrenByParent[parent]?.remove(code)
            if childrenByParent[parent]?.isEmpty == true { childrenByParent[parent] = nil }
        }
        if let parent = new?.parent, parent != old?.parent {
            childrenByParent[parent, default: []].insert(code)
        }
    }

    /// Writes without recording, keeping `membersByCell` in step.
    mutating func storeMember(_ id: String, _ new: Member?) {
        let old: Member?
        if replayReferences != nil {
            old = storeBufferedMember(id, new)  // into the replay's table, not the trie
        } else {
            // One walk down the trie: the old member comes back from the store.
            old = if let new { members.updateValue(new, forKey: id) } else { members.removeValue(forKey: id) }
        }
        let oldCell = old?.cell
        let newCell = new?.cell
        if oldCell != newCell {
            if let c = oldCell {
                membersByCell[c]?.remove(id)
                if membersByCell[c]?.isEmpty == true { membersByCell[c] = nil }
            }
            if let c = newCell { membersByCell[c, default: []].insert(id) }
        }
    }
}
