/// A little binary codec for snapshots: LEB128 varints, zigzag for signed
/// numbers, length-prefixed UTF-8 strings. No alignment, no padding.
struct SnapshotWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }

    mutating func uint(_ v: UInt64) {
        var v = v
        while v >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }

    mutating func int(_ v: Int64) { uint(UInt64(bitPattern: (v << 1) ^ (v >> 63))) }
    mutating func int(_ v: Int) { int(Int64(v)) }
    mutating func count(_ n: Int) { uint(UInt64(n)) }
    mutating func bool(_ b: Bool) { u8(b ? 1 : 0) }
    mutating func date(_ d: BusinessDate) { int(Int64(d.dayNumber)) }

    mutating func string(_ s: String) {
        var s = s
        s.withUTF8 { utf8 in
            count(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    mutating func optional<T>(_ v: T?, _ write: (inout SnapshotWriter, T) -> Void) {
        if let v {
            u8(1)
            write(&self, v)
        } else {
            u8(0)
        }
    }

    mutating func raw<E: RawRepresentable>(_ e: E) where E.RawValue == String { string(e.rawValue) }

    mutating func strings(_ list: [String]) {
        count(list.count)
        for s in list { string(s) }
    }

    /// 8 bytes little-endian, for a length written after what it measures (`patch64`).
    mutating func fixed64(_ v: UInt64) {
        for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: v >> UInt64(shift))) }
    }

    /// Starts a part headed by its byte length; returns where the length goes.
    mutating func beginPart() -> Int {
        let at = bytes.count
        fixed64(0)
        return at
    }

    /// Ends the part `beginPart()` started: writes its length.
    mutating func endPart(_ at: Int) { patch64(at: at, UInt64(bytes.count - at - 8)) }

    /// Overwrites the `fixed64` written at `offset`.
    mutating func patch64(at offset: Int, _ v: UInt64) {
        for (i, shift) in stride(from: 0, to: 64, by: 8).enumerated() {
            bytes[offset + i] = UInt8(truncatingIfNeeded: v >> UInt64(shift))
        }
    }
}

struct SnapshotReader {
    /// Keeps `base` valid.
    let buffer: SnapshotBuffer
    private let base: UnsafePointer<UInt8>
    var offset = 0
    /// Reads stop here: the end of the bytes, or of one part of them (a chunk of members).
    let end: Int

    init(_ buffer: SnapshotBuffer) {
        self.init(buffer, range: 0..<buffer.count)
    }

    /// A reader of `range` of `buffer` only. Precondition: `range` lies within `buffer`.
    init(_ buffer: SnapshotBuffer, range: Range<Int>) {
        precondition(range.lowerBound >= 0 && range.upperBound <= buffer.count, "range outside the snapshot")
        self.buffer = buffer
        // Every read below checks its offset against `end`, which lies within the buffer.
        base = buffer.typed.baseAddress!
        offset = range.lowerBound
        end = range.upperBound
    }

    var atEnd: Bool { offset == end }

    static func damaged(_ why: String) -> DomainError {
        DomainError(.snapshotDamaged, "the state snapshot is damaged or of another format: \(why); rebuild it from the log")
    }

    mutating func u8() throws(DomainError) -> UInt8 {
        guard offset < end else { throw Self.damaged("truncated at byte \(offset)") }
        defer { offset += 1 }
        return base[offset]
    }

    mutating func uint() throws(DomainError) -> UInt64 {
        // Most varints (counts, lengths, tags) are one byte.
        if offset < end, base[offset] < 0x80 {
            offset += 1
            return UInt64(base[offset - 1])
        }
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            let b = try u8()
            guard shift < 64 else { throw Self.damaged("varint too long at byte \(offset)") }
            result |= UInt64(b & 0x7F) << shift
            if b & 0x80 == 0 { return result }
            shift += 7
        }
    }

    mutating func int() throws(DomainError) -> Int64 {
        let u = try uint()
        return Int64(bitPattern: (u >> 1) ^ (0 &- (u & 1)))
    }

    mutating func intValue() throws(DomainError) -> Int { Int(try int()) }

    mutating func int32() throws(DomainError) -> Int32 {
        let n = try int()
        guard let fits = Int32(exactly: n) else { throw Self.damaged("\(n) out of range at byte \(offset)") }
        return fits
    }

    mutating func count() throws(DomainError) -> Int {
        let n = try uint()
        guard n <= UInt64(end - offset) else { throw Self.damaged("count \(n) larger than the rest of the snapshot") }
        return Int(n)
    }

    mutating func bool() throws(DomainError) -> Bool { try u8() != 0 }

    mutating func date() throws(DomainError) -> BusinessDate {
        let n = try int()
        guard let d = Int32(exactly: n) else { throw Self.damaged("day number \(n) out of range") }
        return BusinessDate(dayNumber: d)
    }

    mutating func string() throws(DomainError) -> String {
        let n = try count()
        let s = String(decoding: UnsafeBufferPointer(start: base + offset, count: n), as: UTF8.self)
        offset += n
        return s
    }

    mutating func fixed64() throws(DomainError) -> UInt64 {
        guard end - offset >= 8 else { throw Self.damaged("truncated at byte \(offset)") }
        var v: UInt64 = 0
        for i in 0..<8 { v |= UInt64(base[offset + i]) << UInt64(8 * i) }
        offset += 8
        return v
    }

    /// A part headed by its `fixed64` byte length: its range, skipped.
    mutating func part() throws(DomainError) -> Range<Int> {
        let length = try fixed64()
        guard length <= UInt64(end - offset) else {
            throw Self.damaged("a part of \(length) bytes runs past the end at byte \(offset)")
        }
        let range = offset..<(offset + Int(length))
        offset = range.upperBound
        return range
    }

    /// Moves past `n` bytes. Throws if fewer are left.
    mutating func skip(_ n: Int) throws(DomainError) {
        guard n >= 0, n <= end - offset else { throw Self.damaged("a part of \(n) bytes runs past the end at byte \(offset)") }
        offset += n
    }

    mutating func optional<T>(_ read: (inout SnapshotReader) throws(DomainError) -> T) throws(DomainError) -> T? {
        try u8() == 0 ? nil : try read(&self)
    }

    mutating func raw<E: RawRepresentable>(_ type: E.Type) throws(DomainError) -> E where E.RawValue == String {
        let s = try string()
        guard let e = E(rawValue: s) else { throw Self.damaged("'\(s)' is not a \(E.self)") }
        return e
    }

    mutating func strings() throws(DomainError) -> [String] {
        var out: [String] = []
        for _ in 0..<(try count()) { out.append(try string()) }
        return out
    }
}
