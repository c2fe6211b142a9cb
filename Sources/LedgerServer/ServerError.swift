/// Why the server could not start or serve. Each message says what to do.
public enum ServerError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `start()` was called twice, or after `shutdown()`.
    case notInitial
    /// Another process answers on the socket path.
    case socketInUse(path: String)
    /// Something that is not a socket sits at the socket path.
    case notASocket(path: String)
    /// The socket could not be created, bound, or its mode or group set.
    case socketSetup(path: String, step: String, errno: Int32)
    /// The socket's directory does not exist (systemd creates it with RuntimeDirectory=).
    case socketDirectoryMissing(String)
    /// The socket group named in the config does not exist.
    case unknownSocketGroup(String)
    /// A socket handed over by systemd is not a listening Unix stream socket.
    case unusableInheritedSocket(fd: Int32, reason: String)
    /// SO_PEERCRED failed: the connection is refused (never served unidentified).
    case peerCredentialsUnavailable
    /// Binding failed in SwiftNIO.
    case bind(path: String, reason: String)

    public var description: String {
        switch self {
        case .notInitial:
            return "the server was already started; create a new LedgerSocketServer"
        case .socketInUse(let path):
            return "\(path): another daemon is listening on this socket; stop it or choose another --socket"
        case .notASocket(let path):
            return "\(path): exists and is not a socket; remove it or choose another --socket"
        case .socketSetup(let path, let step, let code):
            return "\(path): \(step) failed: \(errnoText(code))"
        case .socketDirectoryMissing(let directory):
            return "\(directory) does not exist; create it (the systemd unit does with RuntimeDirectory=ledger) or choose another --socket"
        case .unknownSocketGroup(let name):
            return "socket-group '\(name)' does not exist; create it (groupadd \(name)) or change the config"
        case .unusableInheritedSocket(let fd, let reason):
            return "socket fd \(fd) from systemd is unusable: \(reason); check the .socket unit (ListenStream=)"
        case .peerCredentialsUnavailable:
            return "cannot read the peer's credentials (SO_PEERCRED)"
        case .bind(let path, let reason):
            return "\(path): cannot listen: \(reason)"
        }
    }
}

#if canImport(Glibc)
import Glibc
#endif

/// strerror(3) text with the symbolic number, e.g. "Permission denied (errno 13)".
func errnoText(_ code: Int32) -> String {
    "\(String(cString: strerror(code))) (errno \(code))"
}
