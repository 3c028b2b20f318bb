import Foundation
import FoundryStore
import Hummingbird

/// The body of `POST /projects`.
struct CreateProjectBody: Decodable {
    var name: String
    var id: String?
    var fields: [String: String]?
    var message: String?
    /// Members besides the creator (always an owner): user id → role.
    var members: [String: ProjectRole]?
}

extension FoundryAPI {
    /// `POST /projects`, `PUT /projects/{id}`, `GET /projects`, `GET /projects/{id}`.
    func addProjectRoutes(to router: Router<FoundryRequestContext>) {
        router.post("/projects") { request, context -> Response in
            let body = try await JSON.decode(CreateProjectBody.self, from: request, limit: configuration.maxBodyBytes)
            return try await createProject(body, id: try body.id.map(ProjectID.init), context: context)
        }

        // The id in the path, where a proxy sharding by project can route on it
        // (it cannot read a POST body): creates the project, 409 when it exists.
        router.put("/projects/:id") { request, context -> Response in
            let id = try ProjectID(try context.parameters.require("id"))
            let body = try await JSON.decode(CreateProjectBody.self, from: request, limit: configuration.maxBodyBytes)
            if let other = body.id, other != id.rawValue {
                throw APIError.badRequest("ID_MISMATCH", "the body names project '\(other)', the path '\(id)'")
            }
            return try await createProject(body, id: id, context: context)
        }

        // Only the projects the caller is a member of.
        router.get("/projects") { _, context -> Response in
            let caller = try context.requireCaller()
            let workspace = workspace
            let manifests = try await io.run {
                try workspace.projectIDs().map { try workspace.project($0).manifest() }.filter { $0.members[caller.user] != nil }
            }
            return try JSON.response(["projects": manifests])
        }

        router.get("/projects/:id") { _, context -> Response in
            let store = try await project(context, for: .read)
            return try JSON.response(try await io.run { try store.manifest() })
        }
    }

    /// Creates the project of a `POST /projects` or `PUT /projects/{id}`; the caller becomes an owner.
    private func createProject(_ body: CreateProjectBody, id: ProjectID?, context: FoundryRequestContext) async throws -> Response {
        let caller = try context.requireCaller()
        let fields = Dictionary(uniqueKeysWithValues: try (body.fields ?? [:]).map { (try FieldName($0.key), $0.value) })
        let new = NewProject(name: body.name, id: id, fields: fields, message: body.message, members: body.members ?? [:])
        let workspace = workspace
        let manifest = try await io.run { try workspace.createProject(new, by: caller.editor).manifest() }
        return try JSON.response(manifest, status: .created, headers: [.location: "/projects/\(manifest.id)"])
    }
}
