import Foundation
import FoundryStore
import HTTPTypes
import Hummingbird

/// Requires a valid `Authorization: Bearer <JWT>` on every request but
/// `GET /health`, `GET /metrics`, `GET /openapi.yaml`, `GET /asyncapi.yaml`, the server's public
/// keys (`GET /.well-known/foundry-keys.json`) and the web workspace's static
/// files (`/`, `/web/…`), and records the caller in the context. WebSocket upgrades
/// (`/ws/…`) may pass the token as `?token=` instead, since browsers cannot
/// set headers on a WebSocket.
///
/// The session a request acts for is, in order: the `X-Foundry-Session`
/// header (or `?session=` on a WebSocket), so an IDE tab keeps its locks
/// across requests; the token's `sid` claim; or a name derived from the
/// token itself (one token, one session).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = FoundryRequestContext
    let authority: TokenAuthority
    static let sessionHeader = HTTPField.Name("X-Foundry-Session")!
    /// Served without a token: liveness for load balancers, metrics for Prometheus
    /// (they name projects but hold no content; restrict them at the proxy if needed),
    /// and the descriptions of the API.
    static let publicPaths: Set<String> = ["/health", "/metrics", "/openapi.yaml", "/asyncapi.yaml", "/.well-known/foundry-keys.json"]

    /// The public paths, and the web workspace's page and files (no project data in them).
    static func isPublic(_ path: String) -> Bool {
        publicPaths.contains(path) || path == "/" || path.hasPrefix("/web/")
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if Self.isPublic(request.uri.path) { return try await next(request, context) }
        var context = context
        context.caller = try await Self.authenticate(request, authority: authority)
        return try await next(request, context)
    }

    /// The caller of `request`, or `unauthorized` naming what is wrong with its token.
    /// WebSocket upgrades are authenticated here too (see `WebSocketGateway`).
    static func authenticate(_ request: Request, authority: TokenAuthority) async throws -> Caller {
        let isWebSocket = request.uri.path.hasPrefix("/ws/")
        let token: String
        if let header = request.headers[.authorization] {
            guard header.count > 7, header.prefix(7).lowercased() == "bearer " else { throw APIError.unauthorized("the Authorization header must be 'Bearer <JWT>'") }
            token = String(header.dropFirst(7)).trimmingCharacters(in: .whitespaces)
        } else if isWebSocket, let query = request.uri.queryParameters["token"] {
            token = String(query)
        } else {
            throw APIError.unauthorized("missing bearer token: send 'Authorization: Bearer <JWT>'" + (isWebSocket ? " or ?token=<JWT>" : ""))
        }
        let claims: FoundryClaims
        do {
            claims = try await authority.verify(token)
        } catch {
            throw APIError.unauthorized("invalid bearer token: \(error)")
        }
        return Caller(
            user: claims.sub.value, name: claims.name, session: try Self.session(request, claims: claims, token: token),
            authentication: TokenAuthentication(authTime: claims.authTime, amr: claims.amr ?? [], acr: claims.acr, issuer: claims.iss?.value),
            expiresAt: claims.exp.value
        )
    }

    static func session(_ request: Request, claims: FoundryClaims, token: String) throws -> String {
        let fromQuery = request.uri.path.hasPrefix("/ws/") ? request.uri.queryParameters["session"].map(String.init) : nil
        if let header = request.headers[sessionHeader] ?? fromQuery {
            guard (1...100).contains(header.count), header.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._:-".contains($0)) }) else {
                throw APIError.badRequest("INVALID_SESSION", "the session (X-Foundry-Session or ?session=) must be 1-100 characters of A-Z a-z 0-9 . _ : -")
            }
            return header
        }
        if let sid = claims.sid, !sid.isEmpty { return sid }
        return "tok-" + Digest.sha256(Data(token.utf8)).prefix(16)
    }
}
