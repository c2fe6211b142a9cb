#if canImport(Glibc)
import Glibc
#endif
import Dispatch

/// The signals ledgerd acts on.
public enum ProcessSignal: Int32, Sendable, Hashable, CaseIterable {
    /// Graceful shutdown (systemd's stop).
    case terminate = 15  // SIGTERM
    /// Graceful shutdown (Ctrl-C).
    case interrupt = 2  // SIGINT
    /// Reload the role map from the config file.
    case hangup = 1  // SIGHUP
}

/// Turns SIGTERM, SIGINT and SIGHUP into an async stream.
///
/// The signals' default actions (terminate) are replaced by SIG_IGN so that
/// only the dispatch sources see them: a signal during shutdown must not kill
/// the daemon before it removed its socket and closed LMDB. (On Linux,
/// libdispatch registers the source asynchronously; a signal in the first
/// instant after `init` is ignored rather than fatal.) `cancel()` stops
/// the sources; the default actions are not restored (the process is ending).
///
/// `@unchecked Sendable`: every stored property is immutable after `init`, and
/// dispatch sources may be cancelled from any thread.
public final class SignalWatcher: @unchecked Sendable {
    public let signals: AsyncStream<ProcessSignal>
    private let sources: [any DispatchSourceSignal]
    private let continuation: AsyncStream<ProcessSignal>.Continuation

    public init(_ watched: [ProcessSignal] = ProcessSignal.allCases) {
        let (stream, continuation) = AsyncStream<ProcessSignal>.makeStream(bufferingPolicy: .bufferingNewest(16))
        self.signals = stream
        self.continuation = continuation
        let queue = DispatchQueue(label: "ledger.signals")
        var sources: [any DispatchSourceSignal] = []
        for value in watched {
            signal(value.rawValue, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: value.rawValue, queue: queue)
            source.setEventHandler { continuation.yield(value) }
            source.resume()
            sources.append(source)
        }
        self.sources = sources
    }

    public func cancel() {
        for source in sources { source.cancel() }
        continuation.finish()
    }

    deinit {
        cancel()
    }
}
