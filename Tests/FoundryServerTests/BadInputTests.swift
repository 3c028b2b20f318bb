import Foundation
import HTTPTypes
import Testing

/// Every refusal answers with a status and a JSON error naming the problem,
/// and leaves the workspace byte for byte as it was.
@Suite("Bad input is refused clearly and changes nothing")
struct BadInputTests {
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var method: HTTPRequest.Method
        var uri: String
        var body: String?
        var user: String? = "alice"
        var status: Int
        var code: String
    }

    static let cases: [Case] = [
        Case(description: "unknown project", method: .get, uri: "/projects/nope", status: 404, code: "PROJECT_NOT_FOUND"),
        Case(description: "unknown version", method: .get, uri: "/projects/onco/drafts/99", status: 404, code: "VERSION_NOT_FOUND"),
        Case(description: "unknown field", method: .get, uri: "/projects/onco/drafts/1/fields/nope.txt", status: 404, code: "FIELD_NOT_FOUND"),
        Case(description: "version that is not a number", method: .get, uri: "/projects/onco/drafts/abc", status: 400, code: "INVALID_VERSION"),
        Case(description: "encoded traversal in a project id", method: .get, uri: "/projects/..%2F..%2Fetc", status: 400, code: "INVALID_PROJECT_ID"),
        Case(description: "raw traversal in a field path", method: .get, uri: "/projects/onco/drafts/1/fields/../../project.json", status: 400, code: "INVALID_FIELD_NAME"),
        Case(description: "encoded slash in a field path", method: .get, uri: "/projects/onco/drafts/1/fields/tests%2Fbec.jsonl", status: 400, code: "INVALID_FIELD_NAME"),
        Case(description: "NUL in a field path", method: .get, uri: "/projects/onco/drafts/1/fields/a%00b", status: 400, code: "INVALID_FIELD_NAME"),
        Case(description: "traversal in a lock name", method: .put, uri: "/projects/onco/locks/..%2Fproject.json", status: 400, code: "INVALID_FIELD_NAME"),
        Case(description: "absolute field name in a save", method: .post, uri: "/projects/onco/drafts", body: #"{"base_version": 1, "fields": {"/etc/passwd": "x"}}"#, status: 400, code: "INVALID_FIELD_NAME"),
        Case(description: "traversal in a new project id", method: .post, uri: "/projects", body: #"{"name": "x", "id": "../evil"}"#, status: 400, code: "INVALID_PROJECT_ID"),
        Case(description: "invalid JSON body", method: .post, uri: "/projects/onco/drafts", body: #"{"base_version": 1, "fields": "#, status: 400, code: "INVALID_JSON"),
        Case(description: "save without base_version", method: .post, uri: "/projects/onco/drafts", body: #"{"fields": {"system_prompt": "x"}}"#, status: 400, code: "INVALID_JSON"),
        Case(description: "save without fields", method: .post, uri: "/projects/onco/drafts", body: #"{"base_version": 1}"#, status: 400, code: "INVALID_ARGUMENT"),
        Case(description: "save without the lock", method: .post, uri: "/projects/onco/drafts", body: #"{"base_version": 1, "fields": {"model_config.json": "{}"}}"#, status: 423, code: "LOCK_NOT_HELD"),
        Case(description: "save with someone else's lock", method: .post, uri: "/projects/onco/drafts", body: #"{"base_version": 1, "fields": {"system_prompt": "x"}}"#, status: 423, code: "LOCKED"),
        Case(description: "lock held by someone else", method: .put, uri: "/projects/onco/locks/system_prompt", status: 423, code: "LOCKED"),
        Case(description: "release of someone else's lock", method: .delete, uri: "/projects/onco/locks/system_prompt", status: 423, code: "LOCKED"),
        Case(description: "force release by a non-owner", method: .delete, uri: "/projects/onco/locks/system_prompt?force=true", user: "carol", status: 403, code: "FORBIDDEN"),
        Case(description: "stale base version", method: .post, uri: "/projects/onco/drafts", body: #"{"base_version": 1, "fields": {"tests/bec.jsonl": "{}"}}"#, user: "bob", status: 409, code: "STALE_BASE"),
        Case(description: "base version from the future", method: .post, uri: "/projects/onco/drafts", body: #"{"base_version": 42, "fields": {"tests/bec.jsonl": "{}"}}"#, user: "bob", status: 404, code: "VERSION_NOT_FOUND"),
        Case(description: "revert to a version that does not exist", method: .post, uri: "/projects/onco/revert", body: #"{"to_version": 9}"#, status: 404, code: "VERSION_NOT_FOUND"),
        Case(description: "nothing to redo", method: .post, uri: "/projects/onco/fields/model_config.json/redo", status: 409, code: "NOTHING_TO_REDO"),
        Case(description: "duplicate project id", method: .post, uri: "/projects", body: #"{"name": "again", "id": "onco"}"#, status: 409, code: "PROJECT_EXISTS"),
        Case(description: "diff without versions", method: .get, uri: "/projects/onco/diff?from=1", status: 400, code: "INVALID_QUERY"),
        Case(description: "no token", method: .get, uri: "/projects", user: nil, status: 401, code: "UNAUTHORIZED"),
        Case(description: "unknown route", method: .get, uri: "/nowhere", status: 404, code: "NOT_FOUND"),
    ]

    /// A project `onco` at version 2 where bob holds `system_prompt` and
    /// `tests/bec.jsonl` changed in version 2 (so base 1 is stale for it).
    static func prepare(_ api: APIClient) async throws {
        let alice = try await api.server.token("alice")
        let bob = try await api.server.token("bob")
        _ = try await api.request(.post, "/projects", token: alice, json: [
            "name": "Oncology", "id": "onco", "members": ["bob": "editor"],
            "fields": ["system_prompt": "a\n", "model_config.json": "{}\n", "tests/bec.jsonl": "{}\n"],
        ])
        _ = try await api.request(.put, "/projects/onco/locks/tests/bec.jsonl", token: bob)
        _ = try await api.request(.post, "/projects/onco/drafts", token: bob, json: ["base_version": 1, "fields": ["tests/bec.jsonl": "{\"a\": 1}\n"]])
        _ = try await api.request(.put, "/projects/onco/locks/system_prompt", token: bob)
        _ = try await api.request(.put, "/projects/onco/locks/tests/bec.jsonl", token: bob)
    }

    @Test("Each bad request gets its status and error code and leaves the tree unchanged", arguments: cases)
    func refused(_ bad: Case) async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.prepare(api)
            let before = try snapshot(server.root)
            let token: String? = if let user = bad.user { try await server.token(user) } else { nil }
            let response = try await api.request(bad.method, bad.uri, token: token, body: bad.body.map { Data($0.utf8) })
            #expect(Int(response.status.code) == bad.status, "\(bad): \(response.text)")
            #expect(response.errorCode == bad.code, "\(bad): \(response.text)")
            #expect(response.errorMessage?.isEmpty == false)
            #expect(try snapshot(server.root) == before, "\(bad) changed the workspace")
        }
    }

    @Test("Invalid UTF-8, an oversized body and bad tokens are refused before anything is read")
    func transportLevel() async throws {
        let server = try await TestServer(maxBodyBytes: 4096)
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.prepare(api)
            let before = try snapshot(server.root)
            let alice = try await server.token("alice")
            let invalidUTF8 = Data(#"{"base_version": 2, "fields": {"system_prompt": ""#.utf8) + Data([0xff, 0xfe]) + Data(#""}}"#.utf8)
            let utf8 = try await api.request(.post, "/projects/onco/drafts", token: alice, body: invalidUTF8)
            #expect(utf8.status == .badRequest && utf8.errorCode == "INVALID_UTF8")

            let huge = try JSONSerialization.data(withJSONObject: ["base_version": 2, "fields": ["system_prompt": String(repeating: "x", count: 10_000)]])
            let tooLarge = try await api.request(.post, "/projects/onco/drafts", token: alice, body: huge)
            #expect(tooLarge.status.code == 413 && tooLarge.errorCode == "BODY_TOO_LARGE")

            let forged = try await TokenServerless.forge(user: "alice")
            #expect(try await api.request(.get, "/projects", token: forged).status == .unauthorized)
            let expired = try await server.token("alice", lifetime: -60)
            #expect(try await api.request(.get, "/projects", token: expired).status == .unauthorized)
            #expect(try await api.request(.get, "/projects", token: "not.a.jwt").status == .unauthorized)
            #expect(try snapshot(server.root) == before)
        }
    }
}

import FoundryServer

/// Tokens signed with a secret the server does not know.
enum TokenServerless {
    static func forge(user: String) async throws -> String {
        try await TokenAuthority(secret: "a-different-secret-the-server-never-saw").issue(user: user)
    }
}
