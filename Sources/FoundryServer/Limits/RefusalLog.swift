import Logging
import NIOCore
import Synchronization

/// At most one log line per refusal reason a minute.
final class RefusalLog: Sendable {
    private let logger: Logger
    private let interval: TimeAmount
    private let last = Mutex<[String: (at: NIODeadline, since: Int)]>([:])

    init(logger: Logger, interval: TimeAmount = .seconds(60)) {
        self.logger = logger
        self.interval = interval
    }

    func note(_ refusal: Refusal, now: NIODeadline = .now()) {
        let suppressed: Int? = last.withLock { last in
            if let entry = last[refusal.reason], now - entry.at < interval {
                last[refusal.reason] = (entry.at, entry.since + 1)
                return nil
            }
            let since = last[refusal.reason]?.since ?? 0
            last[refusal.reason] = (now, 0)
            return since
        }
        guard let suppressed else { return }
        logger.notice("client refused", metadata: [
            "reason": "\(refusal.reason)", "code": "\(refusal.code)", "message": "\(refusal.message)",
            "refused_since_last_line": "\(suppressed)",
        ])
    }
}
