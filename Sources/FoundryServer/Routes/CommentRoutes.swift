import Foundation
import FoundryStore
import Hummingbird

/// The body of `POST /projects/{id}/comments`.
struct CommentBody: Decodable {
    var version: Int
    var field: String
    var lineStart: Int
    var lineEnd: Int
    var text: String

    enum CodingKeys: String, CodingKey {
        case version, field, text
        case lineStart = "line_start"
        case lineEnd = "line_end"
    }
}

/// The body of `POST /projects/{id}/comments/{cid}/replies`.
struct ReplyBody: Decodable {
    var text: String
}

extension FoundryAPI {
    /// Comment threads: start, list, read, reply, resolve, reopen. Writing
    /// needs the `review` action (owners, editors, reviewers); the broadcast
    /// comes from the watcher when the record file appears.
    func addCommentRoutes(to router: Router<FoundryRequestContext>) {
        router.post("/projects/:id/comments") { request, context -> Response in
            let caller = try context.requireCaller()
            let store = try await project(context, for: .review)
            let body = try await JSON.decode(CommentBody.self, from: request, limit: configuration.maxBodyBytes)
            let new = NewComment(version: body.version, field: try FieldName(body.field), lineStart: body.lineStart, lineEnd: body.lineEnd, text: body.text)
            let placed = try await io.run { () -> PlacedComment in
                let comment = try store.createComment(new, by: caller.editor)
                return try store.place([comment])[0]
            }
            logger.info("comment created", metadata: ["project": "\(store.id)", "user": "\(caller.user)", "comment": "\(placed.comment.id)"])
            return try JSON.response(placed.json(), status: .created)
        }

        router.get("/projects/:id/comments") { request, context -> Response in
            let store = try await project(context, for: .read)
            let query = request.uri.queryParameters
            let field = query["field"].map(String.init)
            let status = query["state"].map(String.init)
            guard status == nil || ["open", "resolved", "outdated", "all"].contains(status!) else {
                throw APIError.badRequest("INVALID_QUERY", "'state' must be open, resolved, outdated or all")
            }
            let reference = query["version"].map(String.init)
            let (version, placed, last) = try await io.run { () -> (Int, [PlacedComment], Int) in
                let requested = try reference.map { try VersionReference.resolve($0, in: store) }
                let version = try requested ?? store.headVersion()
                let comments = try store.allComments().filter { $0.anchor.version <= version && (field == nil || $0.anchor.field == field) }
                let placed = try store.place(comments, at: requested).filter { status == nil || status == "all" || $0.status == status }
                return (version, placed, try store.comments.sequences().last ?? 0)
            }
            return try JSON.response(JSONValue.object([
                "project_id": .string(store.id.rawValue), "version": .int(version), "comments_seq": .int(last),
                "comments": .array(placed.map { $0.json() }),
            ]))
        }

        router.get("/projects/:id/comments/:cid") { request, context -> Response in
            let store = try await project(context, for: .read)
            let commentID = try context.parameters.require("cid")
            let reference = request.uri.queryParameters["version"].map(String.init)
            let placed = try await io.run { () -> PlacedComment in
                let comment = try store.comment(commentID)
                return try store.place([comment], at: try reference.map { try VersionReference.resolve($0, in: store) })[0]
            }
            return try JSON.response(placed.json(events: true))
        }

        router.post("/projects/:id/comments/:cid/replies") { request, context -> Response in
            let caller = try context.requireCaller()
            let store = try await project(context, for: .review)
            let commentID = try context.parameters.require("cid")
            let body = try await JSON.decode(ReplyBody.self, from: request, limit: configuration.maxBodyBytes)
            let placed = try await io.run { try store.place([try store.reply(to: commentID, text: body.text, by: caller.editor)])[0] }
            return try JSON.response(placed.json(), status: .created)
        }

        router.post("/projects/:id/comments/:cid/resolve") { _, context -> Response in
            let caller = try context.requireCaller()
            let store = try await project(context, for: .review)
            let commentID = try context.parameters.require("cid")
            let placed = try await io.run { try store.place([try store.resolveComment(commentID, by: caller.editor)])[0] }
            return try JSON.response(placed.json())
        }

        router.post("/projects/:id/comments/:cid/reopen") { _, context -> Response in
            let caller = try context.requireCaller()
            let store = try await project(context, for: .review)
            let commentID = try context.parameters.require("cid")
            let placed = try await io.run { try store.place([try store.reopenComment(commentID, by: caller.editor)])[0] }
            return try JSON.response(placed.json())
        }
    }
}
