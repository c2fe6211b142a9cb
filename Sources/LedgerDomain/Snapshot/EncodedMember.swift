/// The snapshot bytes the members restored from them point into, kept alive
/// until the last of those members is folded (the engine's warm-up folds
/// them all seconds after a restart). Each chunk of members gets its own
/// owner of the one buffer (no copy), so the threads that restore chunks do
/// not all count references on one object.
final class SnapshotBytes: Sendable {
    let buffer: SnapshotBuffer
    /// Called, before the process stops, with what is wrong when a member of
    /// these bytes does not decode (the engine removes the snapshot file, so
    /// that the next start replays the log instead of stopping again).
    let onDamagedMember: (@Sendable (String) -> Void)?

    init(_ buffer: SnapshotBuffer, onDamagedMember: (@Sendable (String) -> Void)? = nil) {
        self.buffer = buffer
        self.onDamagedMember = onDamagedMember
    }
}

/// One member as a version 3 snapshot stores it, not folded yet: its id and
/// cell (read at restart, for the maps), and where its timeline lies.
///
/// The timeline is folded the first time the member is read (`decode()`).
/// Only a snapshot file whose SHA-256 checksum held is restored this way
/// (`DomainState(snapshot:…, lazily:)`), and those bytes are what a writer
/// of this snapshot format made of a valid member. (So a change to how a
/// member's fold derives its cell must change the format's version: the
/// record stores that cell.) A timeline that does not decode
/// (a bug, or a file crafted by someone who can write the data directory)
/// cannot be answered for: the owner of the bytes is told (the engine removes
/// the file) and the process stops, naming the member and the fault.
struct EncodedMember: Sendable {
    let id: String
    let cell: String
    let bytes: SnapshotBytes
    /// The timeline's bytes within `bytes`: entry count, then the entries.
    let timeline: Range<Int>

    /// The folded fields. Traps if the bytes do not decode to this member.
    func decode() -> MemberFields {
        do {
            return try decodeChecked()
        } catch {
            let message = "member \(id) of the state snapshot does not decode: \(error.message)"
            bytes.onDamagedMember?(message)
            preconditionFailure(message)
        }
    }

    /// The folded fields, or `snapshot-damaged`.
    func decodeChecked() throws(DomainError) -> MemberFields {
        try Self.fold(id: id, cell: cell, bytes.buffer, timeline: timeline)
    }

    /// Folds the timeline at `timeline` in `bytes`, which must end there and
    /// leave the member in `cell`.
    static func fold(id: String, cell: String, _ bytes: SnapshotBuffer, timeline: Range<Int>) throws(DomainError) -> MemberFields {
        var r = SnapshotReader(bytes, range: timeline)
        let fields = try DomainState.readMemberTimeline(id: id, &r)
        guard r.atEnd else { throw SnapshotReader.damaged("\(r.end - r.offset) bytes left after member \(id)'s timeline") }
        guard fields.cell == cell else {
            throw SnapshotReader.damaged("member \(id) is stored under cell \(cell) but its timeline ends in \(fields.cell)")
        }
        return fields
    }
}
