import HTTPTypes
import NIOWebSocket

/// A client turned away by a limit before the server did any of its work
/// (docs/limits.md): nothing was changed. The one place where each limit
/// becomes an HTTP status and error code, a WebSocket close code, a
/// `Retry-After` and the `reason` label of `foundry_refusals_total`.
enum Refusal: Error, Sendable, Equatable {
    /// One client address holds `--max-connections-per-address` connections.
    case tooManyConnections(address: String, limit: Int)
    /// The server holds `--max-connections` connections.
    case serverBusy(limit: Int)
    /// One user holds `--max-sockets-per-user` WebSockets.
    case tooManySockets(user: String, limit: Int)
    /// One session holds `--max-sockets-per-session` WebSockets.
    case tooManySessionSockets(session: String, limit: Int)
    /// One user has `--max-requests-per-user` HTTP requests being served.
    case tooManyRequests(user: String, limit: Int)
    /// One user's changes came faster than `--rate-limit` allows.
    case rateLimited(user: String, retryAfter: Int)
    /// Too many sockets wait to join (`--max-join-wait`, `--max-queued-joins`).
    case joinsQueued(waiting: Int, retryAfter: Int)

    /// The `reason` label of `foundry_refusals_total`.
    var reason: String {
        switch self {
        case .tooManyConnections: "connections_per_address"
        case .serverBusy: "connection_ceiling"
        case .tooManySockets: "sockets_per_user"
        case .tooManySessionSockets: "sockets_per_session"
        case .tooManyRequests: "requests_per_user"
        case .rateLimited: "changes_per_user"
        case .joinsQueued: "join_queue"
        }
    }

    /// Every `reason`, for metrics registered at zero.
    static let reasons = [
        "connections_per_address", "connection_ceiling", "sockets_per_user", "sockets_per_session",
        "requests_per_user", "changes_per_user", "join_queue",
    ]

    /// Seconds after which trying again may succeed.
    var retryAfter: Int {
        switch self {
        case .tooManyConnections, .serverBusy: 5
        case .tooManySockets, .tooManySessionSockets: 30
        case .tooManyRequests: 1
        case .rateLimited(_, let seconds), .joinsQueued(_, let seconds): seconds
        }
    }

    var code: String {
        switch self {
        case .tooManyConnections: "TOO_MANY_CONNECTIONS"
        case .serverBusy, .joinsQueued: "SERVER_BUSY"
        case .tooManySockets, .tooManySessionSockets: "TOO_MANY_SOCKETS"
        case .tooManyRequests: "TOO_MANY_REQUESTS"
        case .rateLimited: "RATE_LIMITED"
        }
    }

    var message: String {
        switch self {
        case .tooManyConnections(let address, let limit):
            "client address \(address) has \(limit) connections open, the most one address may hold"
        case .serverBusy(let limit):
            "the server holds its maximum of \(limit) connections"
        case .tooManySockets(let user, let limit):
            "user \(user) has \(limit) sockets open, the most one user may hold"
        case .tooManySessionSockets(let session, let limit):
            "session \(session) has \(limit) sockets open, the most one session may hold"
        case .tooManyRequests(let user, let limit):
            "user \(user) has \(limit) requests in progress, the most one user may have"
        case .rateLimited(let user, let seconds):
            "user \(user) is making changes faster than the server allows; retry in \(seconds) s"
        case .joinsQueued(let waiting, let seconds):
            "\(waiting) sockets are waiting to join; retry in \(seconds) s"
        }
    }

    var apiError: APIError {
        let status: HTTPResponse.Status = if case .serverBusy = self { .serviceUnavailable } else { .tooManyRequests }
        var error = APIError(status, code: code, message: message)
        error.retryAfter = retryAfter
        return error
    }

    /// 1013 (try again later) when waiting helps by itself, 1008 (policy
    /// violation) when the client must first close sockets of its own.
    var closeCode: WebSocketErrorCode {
        switch self {
        case .tooManySockets, .tooManySessionSockets: .policyViolation
        default: WebSocketErrorCode(codeNumber: 1013)
        }
    }

    /// `CODE retry_after=N: message`, cut to the 123 bytes a close frame holds.
    var closeReason: String {
        var text = "\(code) retry_after=\(retryAfter): \(message)"
        while text.utf8.count > 123 { text.removeLast() }
        return text
    }
}

extension APIError {
    /// 408: the request did not arrive in time (`phase`: `header` or `body`); the connection is closed.
    static func requestTimeout(_ phase: String, seconds: Double) -> APIError {
        let what = phase == "header" ? "request head" : "request body"
        return APIError(.requestTimeout, code: "REQUEST_TIMEOUT", message: "the \(what) did not arrive in time (\(Int(seconds.rounded(.up))) s, see docs/limits.md)")
    }
}
