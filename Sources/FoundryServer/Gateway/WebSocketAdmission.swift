import FoundryStore
import HummingbirdCore
import NIOWebSocket

/// What a WebSocket upgrade request on `/ws/project/{id}` (or
/// `/ws/projects/{id}`, for clients of the older API) asked for, and
/// whether its caller may have it.
///
/// A refused request is still upgraded, then closed at once with an
/// application close code and the reason: a browser cannot read the status
/// of a failed handshake, but it can read a close frame.
struct WebSocketAdmission: Sendable {
    /// The project a `/ws/…` path names, before any check.
    struct Path: Sendable {
        let project: String

        /// `nil` unless `uri` is `/ws/project/{id}` or `/ws/projects/{id}` (any query).
        init?(_ uri: String) {
            let parts = URI(uri).path.split(separator: "/", omittingEmptySubsequences: false)
            guard parts.count == 4, parts[0].isEmpty, parts[1] == "ws", ["project", "projects"].contains(parts[2]) else { return nil }
            project = String(parts[3])
        }
    }

    /// Who may join which project, resuming after which event.
    struct Ticket: Sendable {
        var caller: Caller
        var project: ProjectID
        /// `?since=`: the last event the client saw.
        var since: Int?
        /// `?epoch=`: the server run that numbered `since`.
        var epoch: String?
    }

    enum Outcome: Sendable {
        case admitted(Ticket)
        case refused(WebSocketErrorCode, reason: String)
    }

    let outcome: Outcome

    /// Close codes in the application range, each sent with a reason text.
    enum CloseCode {
        static let invalidRequest = WebSocketErrorCode(codeNumber: 4400)
        static let unauthorized = WebSocketErrorCode(codeNumber: 4401)
        static let forbidden = WebSocketErrorCode(codeNumber: 4403)
        static let projectNotFound = WebSocketErrorCode(codeNumber: 4404)
        static let tooSlow = WebSocketErrorCode(codeNumber: 4008)
    }
}
