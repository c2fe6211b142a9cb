@testable import LedgerServer
import Testing

/// One user cannot take every connection; root always finds a few.
@Suite struct ConnectionBudgetTests {
    @Test func oneUserHoldsAQuarterAndTheLastFewAreRoots() {
        var budget = ConnectionBudget(connectionsMax: 256)
        #expect(budget.perUserMax == 64 && budget.reservedForRoot == 8)
        for _ in 0..<64 { #expect(budget.admit(uid: 1000) == nil) }
        #expect(budget.admit(uid: 1000) == .userFull(held: 64))
        // Three more users fill all but root's eight.
        for uid: UInt32 in [1001, 1002] { for _ in 0..<64 { #expect(budget.admit(uid: uid) == nil) } }
        for _ in 0..<56 { #expect(budget.admit(uid: 1003) == nil) }
        #expect(budget.total == 248)
        #expect(budget.admit(uid: 1004) == .full, "the last eight are root's")
        for _ in 0..<8 { #expect(budget.admit(uid: 0) == nil) }
        #expect(budget.admit(uid: 0) == .full)
        // A user who closes one may open one again.
        budget.release(uid: 1000)
        #expect(budget.held(by: 1000) == 63)
        #expect(budget.admit(uid: 1004) == .full, "still at the total for others")
        budget.release(uid: 0)
        budget.release(uid: 1001)
        #expect(budget.admit(uid: 1000) == .full, "root's eight are not others' to take")
        for _ in 0..<10 { budget.release(uid: 1002) }
        #expect(budget.admit(uid: 1000) == nil)
    }

    @Test func theShareIsAtLeastSixteenAndCanBeSet() {
        #expect(ConnectionBudget(connectionsMax: 32).perUserMax == 16, "ledgerctl opens one connection a call")
        #expect(ConnectionBudget(connectionsMax: 8).perUserMax == 8)
        var set = ConnectionBudget(connectionsMax: 256, perUserMax: 200)
        #expect(set.perUserMax == 200)
        for _ in 0..<200 { #expect(set.admit(uid: 1000) == nil) }
        #expect(set.admit(uid: 1000) == .userFull(held: 200))
        #expect(ConnectionBudget(connectionsMax: 4, perUserMax: 100).perUserMax == 4)
    }

    @Test func aSmallServerStillServesEveryone() {
        var one = ConnectionBudget(connectionsMax: 1)
        #expect(one.perUserMax == 1 && one.reservedForRoot == 0)
        #expect(one.admit(uid: 1000) == nil)
        #expect(one.admit(uid: 0) == .full)
        one.release(uid: 1000)
        #expect(one.admit(uid: 0) == nil)
        #expect(one.total == 1)
    }
}
