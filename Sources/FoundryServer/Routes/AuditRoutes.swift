import Foundation
import FoundryStore
import Hummingbird

extension FoundryAPI {
    /// `GET /projects/{id}/audit?user=&type=&since=&until=&after=&limit=[&order=newest&before=]`,
    /// for owners and reviewers: entries exactly as stored, oldest first, or
    /// newest first with `order=newest` (paged by `before=<next_before>`).
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
            let filter = AuditQuery(
                user: query["user"].map(String.init), type: query["type"].map(String.init),
                since: try time("since"), until: try time("until"),
                after: try query.intValue("after", default: 0, range: 0...Int.max),
                limit: try query.intValue("limit", default: 100, range: 1...1000)
            )
            let order = query["order"].map(String.init) ?? "oldest"
            guard order == "oldest" || order == "newest" else { throw APIError.badRequest("INVALID_QUERY", "'order' must be 'oldest' or 'newest'") }
            if order == "newest" {
                let before: Int? = query["before"] == nil ? nil : try query.intValue("before", default: 1, range: 1...Int.max)
                let page = try await io.run { try store.audit.pageNewestFirst(filter, before: before) }
                return try JSON.response(AuditPageResponse(projectID: store.id.rawValue, entries: page.entries, nextAfter: nil, nextBefore: .some(page.nextBefore)))
            }
            guard query["before"] == nil else { throw APIError.badRequest("INVALID_QUERY", "'before' pages a newest-first list: add order=newest") }
            let page = try await io.run { try store.audit.page(filter) }
            return try JSON.response(AuditPageResponse(projectID: store.id.rawValue, entries: page.entries, nextAfter: page.nextAfter))
        }
    }
}

/// `{"project_id", "entries": [...], "next_after"}`, and `next_before` for a newest-first page.
struct AuditPageResponse: Encodable {
    var projectID: String
    var entries: [AuditEntry]
    var nextAfter: Int?
    /// Only for `order=newest`: `.some(nil)` on the last page.
    var nextBefore: Int?? = nil

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
