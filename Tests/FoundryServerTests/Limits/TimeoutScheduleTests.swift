@testable import FoundryServer
import NIOCore
import Testing

/// The rules of the request timeouts, by the clock they are given.
@Suite("Timeout schedule")
struct TimeoutScheduleTests {
    static func at(_ seconds: Double) -> NIODeadline {
        .uptimeNanoseconds(UInt64(1_000_000_000_000 + seconds * 1e9))
    }

    static func schedule() -> TimeoutSchedule {
        var limits = ServerLimits()
        limits.requestHeaderTimeout = 10
        limits.keepAliveTimeout = 75
        limits.requestBodyTimeout = 10
        limits.minBodyRate = 1000
        limits.sendTimeout = 60
        return TimeoutSchedule(.init(limits), now: at(0))
    }

    @Test("A head must be complete within the header timeout of the connection")
    func headerTimeout() {
        var schedule = Self.schedule()
        schedule.bytesArrived(now: Self.at(1))
        #expect(schedule.expired(now: Self.at(9.9)) == nil)
        #expect(schedule.expired(now: Self.at(10)) == .header)
        #expect(schedule.phase == .head(sawBytes: true))
    }

    @Test("Between requests the keep-alive timeout runs until a byte comes, then the header timeout")
    func keepAliveThenHeader() {
        var schedule = Self.schedule()
        schedule.headReceived(now: Self.at(1))
        schedule.requestEnded()
        #expect(schedule.expired(now: Self.at(500)) == nil, "nothing runs while the server serves")
        schedule.responseEnded(now: Self.at(500))
        #expect(schedule.phase == .idle)
        #expect(schedule.expired(now: Self.at(574.9)) == nil)
        #expect(schedule.expired(now: Self.at(575)) == .idle)
        schedule.bytesArrived(now: Self.at(560))
        #expect(schedule.expired(now: Self.at(569.9)) == nil)
        #expect(schedule.expired(now: Self.at(570)) == .header)
    }

    @Test("Bytes of the next request that arrive while a response is served start its header timeout when the response ends")
    func pipelinedBytes() {
        var schedule = Self.schedule()
        schedule.headReceived(now: Self.at(0))
        schedule.requestEnded()
        schedule.bytesArrived(now: Self.at(1))
        schedule.responseEnded(now: Self.at(2))
        #expect(schedule.phase == .head(sawBytes: true))
        #expect(schedule.expired(now: Self.at(12)) == .header)
    }

    @Test("A body below the minimum rate runs out of slack; a fast one never earns more than the body timeout")
    func bodyRate() {
        var slow = Self.schedule()
        slow.headReceived(now: Self.at(0))
        var expiredAt: Double?
        for second in 1...60 where expiredAt == nil {
            if slow.expired(now: Self.at(Double(second))) != nil { expiredAt = Double(second) } else { slow.bodyReceived(500, now: Self.at(Double(second))) }
        }
        #expect(expiredAt == 19, "half the minimum rate: 18 × 500 bytes earned 9 s beyond the first 10")

        var fast = Self.schedule()
        fast.headReceived(now: Self.at(0))
        fast.bodyReceived(10_000_000, now: Self.at(1))
        #expect(fast.expired(now: Self.at(10.9)) == nil)
        #expect(fast.expired(now: Self.at(11)) == .body, "a stall after a fast start still ends after the body timeout")
        fast.requestEnded()
        #expect(fast.expired(now: Self.at(100)) == nil)
    }

    @Test("The client's clock stops while the server is not asking for bytes")
    func pausedWhileTheServerIsBusy() {
        var schedule = Self.schedule()
        schedule.headReceived(now: Self.at(0))
        schedule.reading(false, now: Self.at(5))
        #expect(schedule.expired(now: Self.at(50)) == nil)
        #expect(schedule.nextCheck == nil)
        schedule.reading(true, now: Self.at(100))
        #expect(schedule.expired(now: Self.at(104.9)) == nil)
        #expect(schedule.expired(now: Self.at(105)) == .body)
    }

    @Test("A response the client does not take ends the connection after the send timeout, in any phase")
    func sendTimeout() {
        var schedule = Self.schedule()
        schedule.headReceived(now: Self.at(0))
        schedule.requestEnded()
        schedule.writable(false, now: Self.at(1))
        schedule.writable(false, now: Self.at(30))
        #expect(schedule.expired(now: Self.at(60.9)) == nil)
        #expect(schedule.expired(now: Self.at(61)) == .send)
        schedule.writable(true, now: Self.at(61))
        #expect(schedule.expired(now: Self.at(200)) == nil)
    }
}
