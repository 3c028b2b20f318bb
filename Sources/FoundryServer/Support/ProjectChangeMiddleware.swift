import Hummingbird

/// Marks each request that may change a project (any method but GET and
/// HEAD on `/projects/{id}/…`) with that project, so its blocking calls pass
/// the project's gate in `BlockingIO`: requests piling up on one project
/// wait as tasks and leave the pool's threads to everyone else.
struct ProjectChangeMiddleware: RouterMiddleware {
    typealias Context = FoundryRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        guard request.method != .get, request.method != .head, let project = Self.project(in: request.uri.path) else {
            return try await next(request, context)
        }
        return try await BlockingIO.$changingProject.withValue(project) { try await next(request, context) }
    }

    /// The `{id}` of `/projects/{id}/…`, as sent (the route validates it).
    static func project(in path: String) -> String? {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        guard segments.count >= 3, segments[0] == "projects" else { return nil }
        return String(segments[1])
    }
}
