import FoundryStore
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypesHTTP1
import NIOWebSocket

/// Admits WebSocket upgrades and builds the handler that serves each
/// admitted socket.
struct WebSocketGateway: Sendable {
    let api: FoundryAPI
    let registry: HubRegistry

    var configuration: ServerConfiguration { api.configuration }

    /// Authenticates the upgrade request like any request (header, or
    /// `?token=` since browsers cannot set headers on a WebSocket), reads
    /// its resume cursor, and counts the socket against its user's and
    /// session's limits until `closed` (1008 beyond them) and the join
    /// against the user's rate of changes (1013). Whether the caller may
    /// read the project is checked when the socket opens.
    func admit(_ head: HTTPRequestHead, path: WebSocketAdmission.Path, until closed: EventLoopFuture<Void>) async -> WebSocketAdmission {
        let refuse = { (code: WebSocketErrorCode, reason: String) in WebSocketAdmission(outcome: .refused(code, reason: String(reason.prefix(120)))) }
        guard let head = try? HTTPRequest(head, secure: false, splitCookie: false) else {
            return refuse(WebSocketAdmission.CloseCode.invalidRequest, "malformed request")
        }
        if let standby = api.standby {
            do { try await standby.promote() } catch { return refuse(.unexpectedServerError, "this standby could not take over") }
        }
        let request = Request(head: head, body: RequestBody(buffer: ByteBuffer()))
        let caller: Caller
        do {
            caller = try await AuthMiddleware.authenticate(request, authority: api.authority)
        } catch {
            return refuse(WebSocketAdmission.CloseCode.unauthorized, "unauthorized: " + ErrorMiddleware.apiError(for: error).message)
        }
        guard let project = try? ProjectID(path.project) else {
            return refuse(WebSocketAdmission.CloseCode.invalidRequest, "invalid project id")
        }
        let query = request.uri.queryParameters
        let since = query["since"].map { Int(String($0)) }
        if let since, since == nil {
            return refuse(WebSocketAdmission.CloseCode.invalidRequest, "'since' must be a sequence number")
        }
        if let refusal = admitSocket(of: caller, until: closed) { return refuse(refusal.closeCode, refusal.closeReason) }
        return WebSocketAdmission(outcome: .admitted(.init(caller: caller, project: project, since: since ?? nil, epoch: query["epoch"].map(String.init))))
    }

    /// Counts the socket for its user and session until `closed`, taking a
    /// token of the user's rate of changes (its join writes an audit line).
    private func admitSocket(of caller: Caller, until closed: EventLoopFuture<Void>) -> Refusal? {
        let (limits, user, session) = (api.limits, caller.user, caller.session)
        if let refusal = limits.sockets.admit(user: user, session: session) {
            limits.refused(refusal)
            return refusal
        }
        if let refusal = limits.changes.take(user) {
            limits.sockets.release(user: user, session: session)
            limits.refused(refusal)
            return refusal
        }
        closed.whenComplete { _ in limits.sockets.release(user: user, session: session) }
        return nil
    }

    /// The channel handler of an upgraded socket.
    func peer(for admission: WebSocketAdmission, on channel: any Channel, logger: Logger) -> WebSocketPeer {
        let outbox = SocketOutbox(channel: channel, limit: configuration.clientQueueLimit)
        let purpose: WebSocketPeer.Purpose = switch admission.outcome {
        case .admitted(let ticket): .serve(WebSocketConnection(api: api, registry: registry, ticket: ticket, outbox: outbox, logger: logger))
        case .refused(let code, let reason): .refuse(code, reason: reason)
        }
        return WebSocketPeer(purpose, outbox: outbox, limits: .init(configuration))
    }
}
