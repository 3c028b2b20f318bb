import Foundation
import FoundryStore
import Hummingbird

/// The body of `PUT /projects/{id}/members/{user}`.
struct MemberBody: Decodable {
    var role: ProjectRole
}

/// One member as the API returns it.
struct MemberResponse: Encodable {
    var user: String
    var role: ProjectRole
}

extension FoundryAPI {
    /// `GET /projects/{id}/members[/{user}]` for every member, `PUT` and
    /// `DELETE /projects/{id}/members/{user}` for owners.
    func addMemberRoutes(to router: Router<FoundryRequestContext>) {
        router.get("/projects/:id/members") { _, context -> Response in
            let store = try await project(context, for: .read)
            let members = try await io.run { try store.manifest().members }
            return try JSON.response(["members": members.sorted { $0.key < $1.key }.map { MemberResponse(user: $0.key, role: $0.value) }])
        }

        router.get("/projects/:id/members/:user") { _, context -> Response in
            let store = try await project(context, for: .read)
            let user = try context.parameters.memberID()
            guard let role = try await io.run({ try store.manifest().members[user] }) else {
                throw StoreError.memberNotFound(user: user, project: store.id.rawValue)
            }
            return try JSON.response(MemberResponse(user: user, role: role))
        }

        router.put("/projects/:id/members/:user") { request, context -> Response in
            let caller = try context.requireCaller()
            let store = try await project(context, for: .manage)
            let user = try context.parameters.memberID()
            let body: MemberBody
            do {
                body = try JSONDecoder().decode(MemberBody.self, from: try await JSON.bodyData(of: request, limit: configuration.maxBodyBytes))
            } catch is DecodingError {
                throw APIError.badRequest("INVALID_JSON", "the body must be {\"role\": \"owner\" | \"editor\" | \"reviewer\" | \"viewer\"}")
            }
            _ = try await io.run { try store.setMember(user, role: body.role, by: caller.editor) }
            return try JSON.response(MemberResponse(user: user, role: body.role))
        }

        router.delete("/projects/:id/members/:user") { _, context -> Response in
            let caller = try context.requireCaller()
            let store = try await project(context, for: .manage)
            let user = try context.parameters.memberID()
            _ = try await io.run { try store.removeMember(user, by: caller.editor) }
            return Response(status: .noContent)
        }
    }
}

extension Parameters {
    /// The `:user` path parameter, percent-decoded (user ids such as `auth0|42` arrive encoded).
    func memberID() throws -> String {
        let raw = try require("user")
        guard let user = raw.removingPercentEncoding, !user.isEmpty, !user.contains("\0") else {
            throw APIError.badRequest("INVALID_ARGUMENT", "invalid user id in the path")
        }
        return user
    }
}
