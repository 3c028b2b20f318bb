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
    /// `?token=` since browsers cannot set headers on a WebSocket) and reads
    /// its resume cursor. Whether the caller may read the project is checked
    /// when the socket opens.
    func admit(_ head: HTTPRequestHead, path: WebSocketAdmission.Path) async -> WebSocketAdmission {
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
        return WebSocketAdmission(outcome: .admitted(.init(caller: caller, project: project, since: since ?? nil, epoch: query["epoch"].map(String.init))))
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
