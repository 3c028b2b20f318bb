import Foundation
import FoundryStore
import Hummingbird

extension FoundryAPI {
    /// `GET /projects/{id}/audit?user=&type=&since=&until=&after=&before=&limit=&order=`,
    /// for owners and reviewers: entries exactly as stored, oldest first
    /// (`next_after` pages on), or with `order=newest` newest first (`next_before`
    /// pages back). A page reads about as many lines as it returns.
    func addAuditRoutes(to router: Router<FoundryRequestContext>) {
        router.get("/projects/:id/audit") { request, context -> Response in
            let store = try await project(context, for: .readAudit)
            let query = request.uri.queryParameters
            func time(_ name: String) throws -> Date? {
                guard let text = query[Substring(name)] else { return nil }
                guard let date = Timestamp.date(from: String(text)) else {
                    throw APIError.badRequest("INVALID_QUERY", "'\(name)' must be a UTC time like 2026-11-25T09:30:00Z")
                }
                return date
            }
            let order = query["order"].map(String.init) ?? "oldest"
            guard order == "oldest" || order == "newest" else {
                throw APIError.badRequest("INVALID_QUERY", "'order' is 'oldest' or 'newest'")
            }
            let filter = AuditQuery(
                user: query["user"].map(String.init), type: query["type"].map(String.init),
                since: try time("since"), until: try time("until"),
                after: try query.intValue("after", default: 0, range: 0...Int.max),
                before: try query.optionalInt("before").map { before in
                    guard before >= 1 else { throw APIError.badRequest("INVALID_QUERY", "'before' must be at least 1") }
                    return before
                },
                limit: try query.intValue("limit", default: 100, range: 1...1000),
                newestFirst: order == "newest"
            )
            let page = try await io.run { try store.audit.page(filter) }
            return try JSON.response(AuditPageResponse(projectID: store.id.rawValue, entries: page.entries, nextAfter: page.nextAfter, nextBefore: filter.newestFirst ? .some(page.nextBefore) : nil))
        }
    }
}

/// `{"project_id", "entries": [...], "next_after"}`, with `next_before` for a newest-first page.
struct AuditPageResponse: Encodable {
    var projectID: String
    var entries: [AuditEntry]
    var nextAfter: Int?
    /// Only for a newest-first page, where `.some(nil)` (JSON `null`) marks the last page.
    var nextBefore: Int??

    enum CodingKeys: String, CodingKey {
        case entries
        case projectID = "project_id"
        case nextAfter = "next_after"
        case nextBefore = "next_before"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(projectID, forKey: .projectID)
        try container.encode(entries, forKey: .entries)
        try container.encode(nextAfter, forKey: .nextAfter)
        if let nextBefore { try container.encode(nextBefore, forKey: .nextBefore) }
    }
}
