import FoundryStore
import Hummingbird

/// The body of `POST /projects/{id}/revert`.
struct RevertBody: Decodable {
    var toVersion: Int
    var message: String?

    enum CodingKeys: String, CodingKey {
        case message
        case toVersion = "to_version"
    }
}

extension FoundryAPI {
    /// Revert of the whole project, undo and redo of one field: each a new version.
    func addHistoryRoutes(to router: Router<FoundryRequestContext>) {
        router.post("/projects/:id/revert") { request, context -> Response in
            let caller = try context.requireCaller()
            let store = try await project(context, for: .edit)
            let body = try await JSON.decode(RevertBody.self, from: request, limit: configuration.maxBodyBytes)
            let draft = try await io.run { try store.revert(to: body.toVersion, by: caller.editor, message: body.message) }
            logVersion(draft, project: store.id)
            return try JSON.response(DraftResponse(draft: draft, created: true), status: .created)
        }

        // `/projects/{id}/fields/{path…}/undo` and `…/redo`: the field may contain '/'.
        router.post("/projects/:id/fields/**") { _, context -> Response in
            let caller = try context.requireCaller()
            let action = context.parameters.getCatchAll().last
            guard action == "undo" || action == "redo" else {
                throw APIError.notFound("use POST /projects/{id}/fields/{field}/undo or …/redo")
            }
            let field = try context.parameters.fieldName(dropping: 1)
            let store = try await project(context, for: .edit)
            let draft = try await io.run {
                action == "undo" ? try store.undo(field, by: caller.editor) : try store.redo(field, by: caller.editor)
            }
            logVersion(draft, project: store.id)
            return try JSON.response(DraftResponse(draft: draft, created: true), status: .created)
        }
    }
}
