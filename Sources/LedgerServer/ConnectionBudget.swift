/// How many connections the server takes, in all and from one user.
///
/// Any user who may open the socket could otherwise hold every connection
/// (open them and send nothing) and lock out everyone else, root included.
/// So one user (uid) other than root holds at most `perUserMax` (by default
/// a quarter of `connectionsMax`, at least 16: `ledgerctl` opens one per
/// call, and a closed one is given back only once the server notices), and
/// the last few are kept for root (uid 0), who is held to the total alone.
struct ConnectionBudget: Sendable {
    let connectionsMax: Int
    /// Connections one user other than root may hold.
    let perUserMax: Int

    /// The default share of one user: a quarter of the total, at least 16 (at most the total).
    static func defaultPerUserMax(connectionsMax: Int) -> Int { min(connectionsMax, max(16, connectionsMax / 4)) }
    /// Connections only root may take: an eighth of the total, at most 8.
    var reservedForRoot: Int { min(8, connectionsMax / 8) }

    private(set) var total = 0
    private var byUser: [UInt32: Int] = [:]

    enum Refusal: Equatable {
        /// Every connection is taken (or all but those kept for root).
        case full
        /// This user holds its share already.
        case userFull(held: Int)
    }

    init(connectionsMax: Int, perUserMax: Int? = nil) {
        precondition(connectionsMax > 0 && (perUserMax ?? 1) > 0, "connection limits must be positive")
        self.connectionsMax = connectionsMax
        self.perUserMax = min(connectionsMax, perUserMax ?? Self.defaultPerUserMax(connectionsMax: connectionsMax))
    }

    func held(by uid: UInt32) -> Int { byUser[uid] ?? 0 }

    /// Takes a connection for `uid`, or says why not.
    mutating func admit(uid: UInt32) -> Refusal? {
        if uid == 0 {
            guard total < connectionsMax else { return .full }
        } else {
            guard total < connectionsMax - reservedForRoot else { return .full }
            let held = byUser[uid] ?? 0
            guard held < perUserMax else { return .userFull(held: held) }
        }
        total += 1
        byUser[uid, default: 0] += 1
        return nil
    }

    /// Gives back a connection `uid` was admitted for.
    mutating func release(uid: UInt32) {
        guard let held = byUser[uid], held > 0 else { preconditionFailure("released a connection never admitted") }
        byUser[uid] = held == 1 ? nil : held - 1
        total -= 1
    }
}
