import NIOCore

/// Closes an HTTP connection whose client takes too long, by the rules of
/// `TimeoutSchedule` (docs/limits.md › Timeouts), until the connection
/// becomes a WebSocket (whose liveness `WebSocketPeer`'s pings keep).
///
/// It sits first in the pipeline, so it sees every arrival of bytes and
/// every time the server asks for more; `HTTPPhaseObserver`, behind the
/// HTTP decoder, tells it where requests and responses begin and end. A
/// head or body that did not arrive in time is answered 408 when no
/// response has begun; an idle connection is just closed.
final class RequestTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    private var schedule: TimeoutSchedule
    private let limits: ClientLimits
    private var context: ChannelHandlerContext?
    private var timer: Scheduled<Void>?
    private var timerDeadline: NIODeadline?
    private var closed = false

    init(limits: ClientLimits) {
        self.limits = limits
        schedule = TimeoutSchedule(limits.timeouts, now: .now())
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        rearm()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        stop()
        self.context = nil
    }

    // MARK: Told by HTTPPhaseObserver

    func headReceived() { update { $0.headReceived(now: $1) } }
    func bodyReceived(_ count: Int) { update { $0.bodyReceived(count, now: $1) } }
    func requestEnded() { update { state, _ in state.requestEnded() } }
    func responseHeadSent() { update { state, _ in state.responseHeadSent() } }
    func responseEnded() { update { $0.responseEnded(now: $1) } }

    // MARK: The channel

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        update { $0.bytesArrived(now: $1) }
        context.fireChannelRead(data)
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        update { $0.reading(false, now: $1) }
        context.fireChannelReadComplete()
    }

    func read(context: ChannelHandlerContext) {
        update { $0.reading(true, now: $1) }
        context.read()
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        let writable = context.channel.isWritable
        update { $0.writable(writable, now: $1) }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        stop()
        context.fireChannelInactive()
    }

    /// At shutdown a connection with no request in progress is closed at
    /// once, rather than when its client gets round to it.
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if event is ChannelShouldQuiesceEvent, schedule.phase == .idle || schedule.phase == .head(sawBytes: false) {
            stop()
            context.close(promise: nil)
        }
        context.fireUserInboundEventTriggered(event)
    }

    // MARK: The timer

    private func update(_ change: (inout TimeoutSchedule, NIODeadline) -> Void) {
        guard !closed else { return }
        change(&schedule, .now())
        rearm()
    }

    /// Makes sure a timer fires by the schedule's next deadline (an earlier
    /// one that finds nothing expired just sets the next).
    private func rearm() {
        guard !closed, let context, let next = schedule.nextCheck else { return }
        if let timerDeadline, timerDeadline <= next { return }
        timer?.cancel()
        timerDeadline = next
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: next) { [self] in
            timer = nil
            timerDeadline = nil
            if let expiry = schedule.expired(now: .now()) { expire(expiry) } else { rearm() }
        }
    }

    private func expire(_ expiry: TimeoutSchedule.Expiry) {
        guard let context else { return }
        limits.metrics.timedOut(expiry.rawValue)
        let answer: APIError? = switch expiry {
        case .header where schedule.phase == .head(sawBytes: true): .requestTimeout("header", seconds: limits.settings.requestHeaderTimeout)
        case .body where !schedule.responseStarted: .requestTimeout("body", seconds: limits.settings.requestBodyTimeout)
        default: nil
        }
        stop()
        if let answer {
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(answer.closingResponse(allocator: context.channel.allocator))), promise: nil)
        }
        context.close(promise: nil)
    }

    private func stop() {
        closed = true
        timer?.cancel()
        timer = nil
        timerDeadline = nil
    }
}
