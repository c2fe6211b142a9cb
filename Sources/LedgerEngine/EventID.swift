import Glibc

/// Event ids: random (version 4) UUIDs in lowercase hex, as CONTRACT.md's
/// `"id":"<uuid>"`.
///
/// Foundation's `UUID()` on Linux opens /dev/urandom for every id (4% of the
/// writer's time under group commit), and `SystemRandomNumberGenerator` makes
/// a getrandom(2) call per 8 bytes; the writer uses a `BufferedRandom`, one
/// fill per 512 ids.
enum EventID {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    static func random<G: RandomNumberGenerator>(using generator: inout G) -> String {
        var high = generator.next() as UInt64
        var low = generator.next() as UInt64
        high = (high & ~0xF000) | 0x4000  // version 4 (bits 12–15 of time_hi)
        low = (low & ~(0xC << 60)) | (0x8 << 60)  // variant 10xx
        var bytes = [UInt8]()
        bytes.reserveCapacity(36)
        for nibble in 0..<32 {
            if nibble == 8 || nibble == 12 || nibble == 16 || nibble == 20 { bytes.append(UInt8(ascii: "-")) }
            let word = nibble < 16 ? high : low
            let shift = UInt64(60 - 4 * (nibble % 16))
            bytes.append(hex[Int((word >> shift) & 0xF)])
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// Random words from the kernel's CSPRNG, fetched 8 KiB at a time. Not
/// thread-safe: one per thread (the engine's writer owns one). A class, so a
/// copy cannot replay the same words (and give two events one id).
final class BufferedRandom: RandomNumberGenerator {
    private var words = [UInt64](repeating: 0, count: 1024)
    private var position = 1024

    func next() -> UInt64 {
        if position == words.count { refill() }
        defer { position += 1 }
        return words[position]
    }

    private func refill() {
        // glibc's arc4random_buf (2.36+) draws from getrandom(2) and cannot fail.
        words.withUnsafeMutableBytes { arc4random_buf($0.baseAddress!, $0.count) }
        position = 0
    }
}
