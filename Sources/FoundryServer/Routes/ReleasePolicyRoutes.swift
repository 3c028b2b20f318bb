import FoundryStore
import Hummingbird

/// The body of `PUT /projects/{id}/release-policy`.
struct ReleasePolicyBody: Decodable {
    var approvalsRequired: Int
    var fourEyes: Bool

    enum CodingKeys: String, CodingKey {
        case approvalsRequired = "approvals_required"
        case fourEyes = "four_eyes"
    }
}

extension FoundryAPI {
    /// What a freeze needs: read by members, set by owners (audited).
    func addReleasePolicyRoutes(to router: Router<FoundryRequestContext>) {
        router.get("/projects/:id/release-policy") { _, context -> Response in
            let store = try await project(context, for: .read)
            return try JSON.response(try await io.run { try store.releasePolicy() })
        }

        router.put("/projects/:id/release-policy") { request, context -> Response in
            let caller = try context.requireCaller()
            let store = try await project(context, for: .manage)
            let body = try await JSON.decode(ReleasePolicyBody.self, from: request, limit: configuration.maxBodyBytes)
            let policy = ReleasePolicy(approvalsRequired: body.approvalsRequired, fourEyes: body.fourEyes)
            let manifest = try await io.run { try store.setReleasePolicy(policy, by: caller.editor) }
            return try JSON.response(manifest.releasePolicy ?? policy)
        }
    }
}
