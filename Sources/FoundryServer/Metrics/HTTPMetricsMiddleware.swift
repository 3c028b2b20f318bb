import Hummingbird

/// Counts every HTTP request by matched route, method and final status, and
/// times it. Added outside `ErrorMiddleware`, so errors are counted with the
/// status the client received.
struct HTTPMetricsMiddleware: RouterMiddleware {
    typealias Context = FoundryRequestContext
    let metrics: FoundryMetrics

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let method = request.method.rawValue
        do {
            let response = try await next(request, context)
            metrics.httpRequest(route: context.endpointPath ?? "unmatched", method: method, status: response.status.code, duration: ContinuousClock.now - start)
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status.code ?? 500
            metrics.httpRequest(route: context.endpointPath ?? "unmatched", method: method, status: status, duration: ContinuousClock.now - start)
            throw error
        }
    }
}
