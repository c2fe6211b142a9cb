#if canImport(Glibc)
import Glibc
#endif
public import LedgerWire

/// Why a call did not return a result, sorted by what the user can do about it.
public enum ClientError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Nothing listens on the socket (ENOENT, ECONNREFUSED): start ledgerd or fix `--socket`.
    case unreachable(socketPath: String, errno: Int32)
    /// The socket file refused us (EACCES/EPERM) or the daemon did (`permission-denied`).
    case permissionDenied(String)
    /// The daemon answered with an error.
    case server(WireError)
    /// The daemon sent something that is not the protocol, or closed mid-response.
    case protocolError(String)
    /// A system call failed after the connection was made.
    case io(operation: String, errno: Int32)
    /// The daemon did not answer within the connection's timeout.
    case timedOut(operation: String)
    /// The request could not be sent as given (too long a socket path, bad arguments).
    case usage(String)

    /// A stable code for scripts: the daemon's error code, or what went
    /// wrong on this side.
    public var code: String {
        switch self {
        case .unreachable: return "unreachable"
        case .permissionDenied: return "permission-denied"
        case .server(let error): return error.code.rawValue
        case .protocolError: return "protocol-error"
        case .io: return "io-error"
        case .timedOut: return "timed-out"
        case .usage: return "usage"
        }
    }

    public var exitCode: ExitCode {
        switch self {
        case .unreachable: return .unreachable
        case .permissionDenied: return .permissionDenied
        case .server(let error): return error.code == .permissionDenied ? .permissionDenied : .failed
        case .protocolError, .io, .timedOut: return .failed
        case .usage: return .usage
        }
    }

    public var description: String {
        switch self {
        case .unreachable(let path, let code):
            return "cannot reach ledgerd at \(path): \(String(cString: strerror(code))); is it running? (--socket or $LEDGER_SOCKET choose another socket)"
        case .permissionDenied(let message):
            return "permission denied: \(message)"
        case .server(let error):
            return "\(error.code.rawValue): \(error.message)"
        case .protocolError(let message):
            return "protocol error: \(message)"
        case .io(let operation, let code):
            return "\(operation) failed: \(String(cString: strerror(code)))"
        case .timedOut(let operation):
            return "\(operation) timed out: the daemon did not answer in time"
        case .usage(let message):
            return message
        }
    }

    /// The error for a failed connect(2) on `socketPath`.
    static func connectFailed(socketPath: String, errno code: Int32) -> ClientError {
        switch code {
        case EACCES, EPERM:
            return .permissionDenied("cannot connect to \(socketPath): \(String(cString: strerror(code))); ask an administrator to add you to the socket's group")
        case ENOENT, ECONNREFUSED, ENOTDIR:
            return .unreachable(socketPath: socketPath, errno: code)
        default:
            return .io(operation: "connect to \(socketPath)", errno: code)
        }
    }
}
