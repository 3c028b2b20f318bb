@testable import FoundryServer
import NIOCore
import NIOWebSocket
import Testing

/// The parts of the limits that need no server: buckets, ceilings, the
/// project gate's priorities, the refusals' wire forms.
@Suite("Limit parts")
struct LimitPartsTests {
    static func at(_ seconds: Double) -> NIODeadline {
        .uptimeNanoseconds(UInt64(1_000_000_000_000 + seconds * 1e9))
    }

    @Test("A token bucket gives its burst at once, then its rate, and says when the next token comes")
    func tokenBucket() {
        var bucket = TokenBucket(rate: 2, capacity: 3, now: Self.at(0))
        #expect((0..<3).map { _ in bucket.take(now: Self.at(0)) } == [nil, nil, nil])
        #expect(bucket.take(now: Self.at(0)) == 1)
        #expect(bucket.take(now: Self.at(0.5)) == nil, "two tokens a second: one after half a second")
        #expect(bucket.take(now: Self.at(0.6)) == 1)
        #expect(bucket.isFull(now: Self.at(10)))
    }

    @Test("Each user has a bucket of their own; a rate of 0 turns the limit off")
    func rateLimiterPerUser() {
        let limiter = ChangeRateLimiter(rate: 0.001, burst: 2)
        #expect(limiter.take("alice", now: Self.at(0)) == nil)
        #expect(limiter.take("alice", now: Self.at(0)) == nil)
        #expect(limiter.take("alice", now: Self.at(0)) == .rateLimited(user: "alice", retryAfter: 1000))
        #expect(limiter.take("bob", now: Self.at(0)) == nil)
        let off = ChangeRateLimiter(rate: 0, burst: 1)
        #expect((0..<1000).allSatisfy { _ in off.take("alice") == nil })
    }

    @Test("The connection ceiling leaves a tenth of the descriptors (at least 256) to the store")
    func ceiling() throws {
        #expect(try ConnectionCeiling.derive(descriptorLimit: 20_000, requested: nil) == ConnectionCeiling(soft: 16_875, hard: 18_000))
        #expect(try ConnectionCeiling.derive(descriptorLimit: 512, requested: nil) == ConnectionCeiling(soft: 240, hard: 256))
        #expect(try ConnectionCeiling.derive(descriptorLimit: 20_000, requested: 1000) == ConnectionCeiling(soft: 1000, hard: 1062))
        #expect(throws: ConnectionCeiling.Error.self) { try ConnectionCeiling.derive(descriptorLimit: 512, requested: 300) }
        #expect(throws: ConnectionCeiling.Error.self) { try ConnectionCeiling.derive(descriptorLimit: 256, requested: nil) }
    }

    @Test("Connections are counted per IPv4 address and per IPv6 /64")
    func addressKeys() throws {
        #expect(ConnectionLedger.key(for: try SocketAddress(ipAddress: "127.0.0.3", port: 1)) == "127.0.0.3")
        #expect(ConnectionLedger.key(for: try SocketAddress(ipAddress: "2001:db8:1:2:aaaa::5", port: 1)) == "2001:db8:1:2::/64")
        #expect(ConnectionLedger.key(for: try SocketAddress(ipAddress: "2001:db8:1:2:bbbb::9", port: 1)) == "2001:db8:1:2::/64")
        #expect(ConnectionLedger.key(for: try SocketAddress(ipAddress: "::ffff:10.0.0.1", port: 1)) != ConnectionLedger.key(for: try SocketAddress(ipAddress: "::ffff:10.0.0.2", port: 1)))
    }

    @Test("The connection ledger refuses past the ceiling and past an address's limit, and forgets released connections")
    func connectionLedger() {
        let ledger = ConnectionLedger(ceiling: ConnectionCeiling(soft: 3, hard: 4), perAddress: 2)
        #expect(ledger.admit("a") == nil)
        #expect(ledger.admit("a") == nil)
        #expect(ledger.admit("a") == .tooManyConnections(address: "a", limit: 2))
        #expect(ledger.admit("b") == nil)
        #expect(ledger.admit("c") == .serverBusy(limit: 3))
        ledger.release("a")
        #expect(ledger.admit("c") == nil)
        #expect(ledger.open == 3)
    }

    @Test("Waiting changes go before waiting background work at a project's gate, but background work gets every fifth turn")
    func gatePriorities() async {
        let gate = ProjectGate(permits: 1)
        await gate.enter("p")
        let order = OrderLog()
        func queue(_ name: String, _ priority: ProjectGate.Priority) async -> Task<Void, Never> {
            let before = await gate.waiting("p")
            let task = Task {
                await gate.enter("p", priority: priority)
                await order.append(name)
                await gate.leave("p")
            }
            while await gate.waiting("p") == before { await Task.yield() }
            return task
        }
        var tasks = [await queue("join", .background)]
        for index in 1...5 { tasks.append(await queue("save\(index)", .change)) }
        await gate.leave("p")
        for task in tasks { await task.value }
        #expect(await order.names == ["save1", "save2", "save3", "save4", "join", "save5"])
    }

    @Test("A join is refused once the joins ahead of it would take longer than the longest wait; leaves never are, and go first")
    func joinQueueBoundsTheWait() async {
        // Until a turn ends, the queue reckons 5 ms a turn: two waiting joins are 10 ms ahead, three 15 ms.
        let queue = JoinQueue(permits: 1, limit: 0, maxWait: 0.012, metrics: FoundryMetrics())
        #expect(await queue.enter(.join) == nil)
        let order = OrderLog()
        var waiting: [Task<Void, Never>] = []
        for index in 0..<3 {
            waiting.append(Task {
                #expect(await queue.enter(.join) == nil)
                await order.append("join\(index)")
                await queue.leave(after: .milliseconds(5))
            })
            while await queue.waitingJoins < index + 1 { await Task.yield() }
        }
        let refused = await queue.enter(.join)
        guard case .joinsQueued(waiting: 3, let retry)? = refused else {
            Issue.record("the fourth join was not refused: \(String(describing: refused))")
            return
        }
        #expect((1...2).contains(retry), "1 s of wait ahead (15 ms, rounded up), plus up to as much again")
        let leave = Task {
            #expect(await queue.enter(.leave) == nil)
            await order.append("leave")
            await queue.leave(after: .milliseconds(5))
        }
        while await queue.waitingLeaves < 1 { await Task.yield() }
        await queue.leave(after: .milliseconds(5))
        for task in waiting + [leave] { await task.value }
        #expect(await order.names == ["leave", "join0", "join1", "join2"])
    }

    @Test("The join pace is the time between ends of turns while the queue is busy, else a turn's time over the turns running at once")
    func joinPace() {
        var pace = JoinPace(permits: 4)
        #expect(pace.secondsPerTurn == 0.005 / 4)
        let start = ContinuousClock.now
        pace.turnEnded(after: .milliseconds(40), at: start, busy: false)
        #expect(abs(pace.secondsPerTurn - (0.9 * 0.005 + 0.1 * 0.04) / 4) < 1e-9, "never busy: the turn's time over four")
        pace.turnEnded(after: .milliseconds(40), at: start + .milliseconds(100), busy: true)
        pace.turnEnded(after: .milliseconds(40), at: start + .milliseconds(120), busy: true)
        #expect(abs(pace.secondsPerTurn - 0.02) < 1e-9, "busy: 20 ms between two ends")
        pace.turnEnded(after: .milliseconds(40), at: start + .milliseconds(130), busy: true)
        #expect(abs(pace.secondsPerTurn - (0.9 * 0.02 + 0.1 * 0.01)) < 1e-9)
        pace.turnEnded(after: .milliseconds(40), at: start + .seconds(60), busy: false)
        pace.turnEnded(after: .milliseconds(40), at: start + .seconds(61), busy: true)
        #expect(abs(pace.secondsPerTurn - (0.9 * 0.02 + 0.1 * 0.01)) < 1e-9, "an idle spell is not counted as pace")
    }

    @Test("A refusal's close reason names its code and retry hint and fits a close frame")
    func closeReasons() {
        let long = Refusal.tooManySockets(user: String(repeating: "u", count: 200), limit: 64)
        #expect(long.closeReason.utf8.count <= 123)
        #expect(long.closeReason.hasPrefix("TOO_MANY_SOCKETS retry_after=30: user uuu"))
        #expect(long.closeCode == .policyViolation)
        #expect(Refusal.joinsQueued(waiting: 10, retryAfter: 3).closeCode == WebSocketErrorCode(codeNumber: 1013))
        #expect(Refusal.serverBusy(limit: 10).apiError.status.code == 503)
        #expect(Refusal.rateLimited(user: "a", retryAfter: 2).apiError.retryAfter == 2)
    }
}

/// Names in the order they were appended.
actor OrderLog {
    private(set) var names: [String] = []
    func append(_ name: String) { names.append(name) }
}
