import Hummingbird

/// Promotes a standby server before the first request a client sends it
/// (the proxy sends clients to a standby only when the primary is down);
/// the proxy's health checks, metrics scrapes and the API documents do not.
struct StandbyMiddleware: RouterMiddleware {
    typealias Context = FoundryRequestContext
    static let exempt: Set<String> = ["/health", "/metrics", "/openapi.yaml", "/asyncapi.yaml"]

    let standby: Standby

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if !standby.isPrimary, !Self.exempt.contains(request.uri.path) {
            do {
                try await standby.promote()
            } catch {
                throw APIError(.serviceUnavailable, code: "PROMOTION_FAILED", message: "this standby could not take over: \(error)")
            }
        }
        return try await next(request, context)
    }
}
