import CLMDB

/// An error returned by an LMDB call: the call's name and LMDB's own code and text.
///
/// `mdb_strerror` covers both LMDB's codes (negative, e.g. `MDB_MAP_FULL`) and errno values.
public struct LMDBError: Error, Sendable, Equatable, CustomStringConvertible {
    public let call: String
    public let code: Int32

    public init(call: String, code: Int32) {
        self.call = call
        self.code = code
    }

    public var isMapFull: Bool { code == MDB_MAP_FULL }
    public var isNotFound: Bool { code == MDB_NOTFOUND }
    public var isKeyExists: Bool { code == MDB_KEYEXIST }

    public var description: String {
        let text = String(cString: mdb_strerror(code))
        return "\(call) failed: \(text) (LMDB code \(code))"
    }
}

/// Throws `LMDBError` unless `rc` is 0.
@inline(__always)
func check(_ rc: Int32, _ call: @autoclosure () -> String) throws(LMDBError) {
    if rc != 0 { throw LMDBError(call: call(), code: rc) }
}
