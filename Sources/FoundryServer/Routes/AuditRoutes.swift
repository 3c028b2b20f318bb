import Foundation
import FoundryStore
import Hummingbird

extension FoundryAPI {
    /// `GET /projects/{id}/audit?user=&type=&since=&until=&after=&limit=`,
    /// for owners and reviewers: entries exactly as stored, oldest first.
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
            let page = try await io.run { try store.audit.page(filter) }
            return try JSON.response(AuditPageResponse(projectID: store.id.rawValue, entries: page.entries, nextAfter: page.nextAfter))
        }
    }
}

/// `{"project_id", "entries": [...], "next_after"}`.
struct AuditPageResponse: Encodable {
    var projectID: String
    var entries: [AuditEntry]
    var nextAfter: Int?

    enum CodingKeys: String, CodingKey {
        case entries
        case projectID = "project_id"
        case nextAfter = "next_after"
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(projectID, forKey: .projectID)
        try container.encode(entries, forKey: .entries)
        try container.encode(nextAfter, forKey: .nextAfter)
    }
}
