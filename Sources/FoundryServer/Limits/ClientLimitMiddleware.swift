import Hummingbird

/// The per-user limits of HTTP requests, checked once the caller is known
/// and before the route does anything, so a refused request changes
/// nothing: at most `--max-requests-per-user` requests being served at
/// once (429 `TOO_MANY_REQUESTS`), and each change takes a token of the
/// user's bucket (429 `RATE_LIMITED` with `Retry-After`). Reads take no
/// token; a change is any method but GET and HEAD on `/projects…`.
struct ClientLimitMiddleware: RouterMiddleware {
    typealias Context = FoundryRequestContext
    let limits: ClientLimits

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard let user = context.caller?.user else { return try await next(request, context) }
        if let refusal = limits.requests.enter(user) {
            limits.refused(refusal)
            throw refusal
        }
        defer { limits.requests.leave(user) }
        if Self.isChange(request), let refusal = limits.changes.take(user) {
            limits.refused(refusal)
            throw refusal
        }
        return try await next(request, context)
    }

    static func isChange(_ request: Request) -> Bool {
        request.method != .get && request.method != .head && request.uri.path.hasPrefix("/projects")
    }
}
