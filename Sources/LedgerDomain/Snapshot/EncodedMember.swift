/// Bytes of a snapshot shared by the members restored from them, kept alive
/// until the last of those members is folded. Each chunk of members gets its
/// own copy, so that members of a chunk folded early free it early and the
/// threads that restore chunks do not retain one shared object.
final class SnapshotBytes: Sendable {
    let bytes: [UInt8]
    init(_ bytes: [UInt8]) { self.bytes = bytes }
}

/// One member as a version 3 snapshot stores it, not folded yet: its id and
/// cell (read at restart, for the maps), and where its timeline lies.
///
/// The timeline is folded the first time the member is read (`decode()`).
/// Only a snapshot file whose SHA-256 checksum held is restored this way
/// (`DomainState(snapshot:…, lazily: true)`), and those bytes are what this
/// build's writer made of a valid member; so a timeline that does not decode
/// is a broken invariant and stops the process, with the remedy in the message.
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
            preconditionFailure(
                "member \(id) of the state snapshot does not decode (\(error.message)); "
                    + "delete state.snapshot in the data directory and restart: the state is then rebuilt from the log")
        }
    }

    /// The folded fields, or `snapshot-damaged`.
    func decodeChecked() throws(DomainError) -> MemberFields {
        try Self.fold(id: id, cell: cell, bytes.bytes, timeline: timeline)
    }

    /// Folds the timeline at `timeline` in `bytes`, which must end there and
    /// leave the member in `cell`.
    static func fold(id: String, cell: String, _ bytes: [UInt8], timeline: Range<Int>) throws(DomainError) -> MemberFields {
        var r = SnapshotReader(bytes, range: timeline)
        let fields = try DomainState.readMemberTimeline(id: id, &r)
        guard r.atEnd else { throw SnapshotReader.damaged("\(r.end - r.offset) bytes left after member \(id)'s timeline") }
        guard fields.cell == cell else {
            throw SnapshotReader.damaged("member \(id) is stored under cell \(cell) but its timeline ends in \(fields.cell)")
        }
        return fields
    }
}
