import NIOCore

/// The connection limits and timeouts of every connection (docs/limits.md).
extension FoundryChildChannel {
    private var limits: ClientLimits { gateway.api.limits }

    /// Counts the connection against the server's ceiling and its address's
    /// limit until it closes; `false`, with a `RefusingHandler` answering it
    /// 503 or 429 at once, when it is refused.
    func admit(_ channel: any Channel) throws -> Bool {
        let (limits, address) = (limits, ConnectionLedger.key(for: channel.remoteAddress))
        if let refusal = limits.connections.admit(address) {
            limits.refused(refusal)
            try channel.pipeline.syncOperations.addHandler(RefusingHandler(refusal.apiError.closingResponse(allocator: channel.allocator)))
            return false
        }
        limits.metrics.connectionOpened()
        channel.closeFuture.whenComplete { _ in
            limits.connections.release(address)
            limits.metrics.connectionClosed()
        }
        return true
    }

    /// The request timeouts: a handler first in the pipeline, told by an
    /// observer behind the HTTP decoder where requests begin and end.
    func addTimeouts(to channel: any Channel) throws {
        let timeouts = RequestTimeoutHandler(limits: limits)
        try channel.pipeline.syncOperations.addHandler(timeouts, position: .first)
        let filter = try channel.pipeline.syncOperations.handler(type: UpgradeFilter.self)
        try channel.pipeline.syncOperations.addHandler(HTTPPhaseObserver(reporting: timeouts), position: .before(filter))
    }

    /// A WebSocket keeps its liveness by pings (`WebSocketPeer`), not by these.
    static func removeTimeouts(from channel: any Channel) throws {
        let operations = channel.pipeline.syncOperations
        operations.removeHandler(context: try operations.context(handlerType: HTTPPhaseObserver.self), promise: nil)
        operations.removeHandler(context: try operations.context(handlerType: RequestTimeoutHandler.self), promise: nil)
    }
}
