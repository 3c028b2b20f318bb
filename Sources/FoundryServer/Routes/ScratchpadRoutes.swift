import Foundation
import FoundryStore
import Hummingbird

/// The body of `PUT /projects/{id}/scratchpad`.
struct ScratchpadBody: Decodable {
    var baseVersion: Int
    var text: String
    var keepLock: Bool?
    var message: String?

    enum CodingKeys: String, CodingKey {
        case text, message
        case baseVersion = "base_version"
        case keepLock = "keep_lock"
    }
}

extension FoundryAPI {
    /// The scratchpad is the field `scratchpad`: read it at a version, or
    /// save it like any field (its lock is needed, editors and owners only).
    func addScratchpadRoutes(to router: Router<FoundryRequestContext>) {
        router.get("/projects/:id/scratchpad") { request, context -> Response in
            let store = try await project(context, for: .read)
            let reference = request.uri.queryParameters["version"].map(String.init)
            let scratchpad = try await io.run { try store.scratchpad(at: try reference.map { try VersionReference.resolve($0, in: store) }) }
            return try JSON.response(scratchpad.json)
        }

        router.put("/projects/:id/scratchpad") { request, context -> Response in
            let caller = try context.requireCaller()
            let store = try await project(context, for: .edit)
            let body = try await JSON.decode(ScratchpadBody.self, from: request, limit: configuration.maxBodyBytes)
            let save = SaveRequest(baseVersion: body.baseVersion, fields: [Scratchpad.field: body.text], message: body.message, keepLocks: body.keepLock ?? false)
            return try await commit(save, to: store, by: caller)
        }
    }
}
