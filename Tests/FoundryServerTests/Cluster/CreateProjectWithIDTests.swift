import Foundation
import Testing

/// `PUT /projects/{id}`: the create a sharding proxy can route (docs/cluster.md).
@Suite("Creating a project with the id in the path")
struct CreateProjectWithIDTests {
    @Test("PUT /projects/{id} creates the project with that id, the caller its owner, at version 1 with the given fields")
    func creates() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        let alice = try await server.token("alice")
        try await server.run { api in
            let created = try await api.request(.put, "/projects/onco", token: alice, json: [
                "name": "Oncology", "fields": ["system_prompt": "hello\n"], "members": ["bob": "viewer"],
            ])
            #expect(created.status == .created)
            #expect(created.headers[.location] == "/projects/onco")
            #expect(created.json["id"] as? String == "onco")
            #expect(created.json["head_version"] as? Int == 1)
            #expect((created.json["members"] as? [String: String]) == ["alice": "owner", "bob": "viewer"])
            let read = try await api.request(.get, "/projects/onco/drafts/1/fields/system_prompt", token: try await server.token("bob"))
            #expect(read.text == "hello\n")
        }
    }

    @Test("PUT on an existing project is 409 and changes nothing; a body naming another id is 400 and creates nothing")
    func refusals() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        let alice = try await server.token("alice"), bob = try await server.token("bob")
        try await server.run { api in
            #expect(try await api.request(.put, "/projects/onco", token: alice, json: ["name": "Oncology"]).status == .created)
            let before = try snapshot(server.root)
            let again = try await api.request(.put, "/projects/onco", token: bob, json: ["name": "Mine now"])
            #expect(again.status == .conflict)
            #expect(again.errorCode == "PROJECT_EXISTS")
            #expect(try snapshot(server.root) == before)

            let mismatch = try await api.request(.put, "/projects/cardio", token: alice, json: ["name": "Cardio", "id": "neuro"])
            #expect(mismatch.status == .badRequest)
            #expect(mismatch.errorCode == "ID_MISMATCH")
            #expect(try await api.request(.put, "/projects/Not%20Valid", token: alice, json: ["name": "x"]).status == .badRequest)
            #expect(try await api.request(.put, "/projects/cardio", token: nil, json: ["name": "Cardio"]).status == .unauthorized)
            #expect(try snapshot(server.root) == before)
        }
    }
}
