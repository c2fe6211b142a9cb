import Foundation

/// Reads newline-terminated lines from a file descriptor into one reusable
/// buffer and hands them out in blocks, in place: no line is copied or
/// allocated, so a verifier can split a block between threads.
///
/// `available(upTo:)` makes up to that many complete lines readable through
/// `line(_:)`; `consume(_:)` drops the first lines once they are done with.
/// Lines stay valid until the next `available` call (which may move the
/// buffer's contents). As `LineReader`: a last line without a newline counts,
/// and a line longer than `lineBytesMax` is refused with `LineReader.TooLong`,
/// but only once every line before it has been handed out.
///
/// Memory: one buffer of `max(bufferBytes, 2 × (lineBytesMax + 1))` bytes and
/// two offsets per line of a block.
public struct LineBlockReader: ~Copyable {
    public let fd: Int32
    public let lineBytesMax: Int
    private let buffer: UnsafeMutableRawBufferPointer
    /// Bytes `0..<end` of the buffer hold data read and not yet dropped.
    private var end = 0
    /// Offsets of the found lines: line i is `starts[i]..<ends[i]` (without its newline).
    private var starts: [Int] = []
    private var ends: [Int] = []
    /// Where the search for the next newline resumes; the partial line starts here.
    private var unsplit = 0
    private var eof = false
    /// A read error met by `readAhead`, thrown when its bytes would have been needed.
    private var deferredError: POSIXError?

    public init(fd: Int32, lineBytesMax: Int, bufferBytes: Int = 8 << 20) {
        precondition(lineBytesMax > 0, "lineBytesMax must be positive")
        self.fd = fd
        self.lineBytesMax = lineBytesMax
        buffer = .allocate(byteCount: max(bufferBytes, 2 * (lineBytesMax + 1)), alignment: 16)
    }

    deinit { buffer.deallocate() }

    /// The number of complete lines ready (at most `wanted`), reading more input as needed; 0
    /// only at the end of the input. Fewer than `wanted` lines come back only at the end of the
    /// input, when the buffer is full, or when the next line is over the limit.
    /// - Throws: `LineReader.TooLong` when the next line (with none before it pending) is over
    ///   `lineBytesMax`; a `POSIXError` when reading fails.
    public mutating func available(upTo wanted: Int) throws -> Int {
        precondition(wanted > 0, "ask for at least one line")
        while starts.count < wanted {
            switch splitNext() {
            case .split:
                continue
            case .tooLong:
                if starts.isEmpty { throw LineReader.TooLong(limit: lineBytesMax) }
                return starts.count
            case .needMore:
                if eof {
                    if end > unsplit {
                        starts.append(unsplit)
                        ends.append(end)
                        unsplit = end
                    }
                    return starts.count
                }
                if let deferredError { throw deferredError }
                if end == buffer.count {
                    // Full: move what is still needed to the front, or hand out what is ready.
                    let keep = starts.first ?? unsplit
                    if keep == 0 { return starts.count }
                    shift(by: keep)
                }
                // A modest read: what is needed now. `readAhead` fills the rest in the background.
                try readMore(upTo: 1 << 20)
            }
        }
        return wanted
    }

    private enum Split { case split, tooLong, needMore }

    /// Splits the next complete line off the unsplit bytes, if its newline is there.
    private mutating func splitNext() -> Split {
        let partial = end - unsplit
        guard partial > 0, let found = memchr(buffer.baseAddress! + unsplit, 10, partial) else {
            return partial > lineBytesMax ? .tooLong : .needMore
        }
        let newline = UnsafeRawPointer(found) - UnsafeRawPointer(buffer.baseAddress!)
        if newline - unsplit > lineBytesMax { return .tooLong }
        starts.append(unsplit)
        ends.append(newline)
        unsplit = newline + 1
        return .split
    }

    /// Reads more input into the buffer's free tail, if any, without moving what is there: lines
    /// already handed out stay valid (and `line(_:)` gives the same ones), so this can run while
    /// other threads read them. A read error is kept and thrown by `available(upTo:)` when those
    /// bytes would have been needed. Then splits lines until `lines` are ready (or no more
    /// complete ones are there), so that the next `available(upTo:)` finds them split already.
    public mutating func readAhead(splittingUpTo lines: Int = 0) {
        if !eof, deferredError == nil, end < buffer.count {
            do {
                try readMore()
            } catch let error as POSIXError {
                deferredError = error
            } catch {
                deferredError = POSIXError(.EIO)
            }
        }
        while starts.count < lines, splitNext() == .split {}
    }

    /// Line `index` (0-based within the lines ready), without its newline.
    public func line(_ index: Int) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: buffer[starts[index]..<ends[index]])
    }

    /// Drops the first `count` ready lines.
    public mutating func consume(_ count: Int) {
        precondition(count <= starts.count, "cannot consume \(count) of \(starts.count) lines")
        starts.removeFirst(count)
        ends.removeFirst(count)
        if starts.isEmpty, unsplit == end {
            end = 0
            unsplit = 0
        }
    }

    private mutating func shift(by offset: Int) {
        let base = buffer.baseAddress!
        memmove(base, base + offset, end - offset)
        end -= offset
        unsplit -= offset
        for i in starts.indices {
            starts[i] -= offset
            ends[i] -= offset
        }
    }

    private mutating func readMore(upTo limit: Int = .max) throws {
        while true {
            let n = read(fd, buffer.baseAddress! + end, min(limit, buffer.count - end))
            if n > 0 {
                end += n
                return
            }
            if n == 0 {
                eof = true
                return
            }
            let code = errno
            if code == EINTR { continue }
            throw POSIXErrorCode(rawValue: code).map { POSIXError($0) } ?? POSIXError(.EIO)
        }
    }
}
