import Foundation
@testable import FoundryServer
import FoundryStore
import HTTPTypes
import Testing

/// Electronic signatures over HTTP against a real server: step-up
/// authentication (RFC 9470), roles, the event on the socket, and the
/// records on disk.
@Suite("Signatures over HTTP")
struct SignatureRouteTests {
    /// `onco` at version 1: alice owns it, bob edits, rita reviews, vic views.
    static func project(_ api: APIClient) async throws {
        try await AnnotationTests.project(api)
    }

    /// A token of `user` that authenticated `age` seconds ago, with `amr`.
    static func token(_ server: TestServer, _ user: String, name: String? = nil, age: TimeInterval = 0, amr: [String]? = ["pwd"], acr: String? = nil) async throws -> String {
        try await server.authority.issue(user: user, name: name, session: "\(user)-tab", lifetime: 600,
                                         authTime: Date().addingTimeInterval(-age), amr: amr, acr: acr)
    }

    static func sign(_ api: APIClient, _ token: String, version: Int = 1, meaning: String, reason: String? = nil) async throws -> APIResponse {
        var body: [String: Any] = ["version": version, "meaning": meaning]
        if let reason { body["reason"] = reason }
        return try await api.request(.post, "/projects/onco/signatures", token: token, json: body)
    }

    @Test("A fresh token signs: 201, the record on disk, SIGNATURE_ADDED on the socket, listed with the version")
    func signFresh() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.project(api)
            let watcher = try await AnnotationTests.socket(api, "vic")
            defer { watcher.close() }
            let rita = try await Self.token(server, "rita", name: "Rita Reviewer")
            let signed = try await Self.sign(api, rita, meaning: "reviewed", reason: "wording checked")
            #expect(signed.status == .created, "\(signed.text)")
            #expect(signed.headers[.location] == "/projects/onco/signatures/1")
            let json = signed.json
            #expect(json["id"] as? String == "s-1" && json["file"] as? String == "signatures/000001.json")
            #expect(json["printed_name"] as? String == "Rita Reviewer" && json["meaning"] as? String == "reviewed" && json["reason"] as? String == "wording checked")
            #expect(json["session"] as? String == "rita-tab" && json["signer_role"] as? String == "reviewer")
            let authentication = try #require(json["authentication"] as? [String: Any])
            #expect(authentication["method"] as? String == "step_up" && authentication["amr"] as? [String] == ["pwd"] && authentication["max_age"] as? Int == 300)
            let path = server.root + "/onco/signatures/000001.json"
            #expect(try run("/usr/bin/sha256sum", [path]).output.hasPrefix(try #require(json["sha256"] as? String)))
            let onDisk = try JSONDecoder().decode(SignatureRecord.self, from: try #require(FileManager.default.contents(atPath: path)))
            #expect(onDisk.payload.draftID == json["draft_id"] as? String && onDisk.payload.signedAt == json["signed_at"] as? String)

            let frame = try #require(await watcher.next("SIGNATURE_ADDED"))
            #expect(frame["id"]?.string == "s-1" && frame["meaning"]?.string == "reviewed" && frame["printed_name"]?.string == "Rita Reviewer")
            #expect(frame["sha256"]?.string == json["sha256"] as? String)

            let vic = try await server.token("vic")
            let version = try await api.request(.get, "/projects/onco/drafts/1", token: vic).json
            #expect((version["signatures"] as? [[String: Any]])?.map { $0["id"] as? String } == ["s-1"])
            #expect((try await api.request(.get, "/projects/onco/signatures?version=1", token: vic).json["signatures"] as? [Any])?.count == 1)
            #expect(try await api.request(.get, "/projects/onco/signatures/s-1", token: vic).json["sha256"] as? String == json["sha256"] as? String)
            #expect(try await api.request(.get, "/projects/onco/signatures/9", token: vic).errorCode == "SIGNATURE_NOT_FOUND")
            let audit = try await api.request(.get, "/projects/onco/audit?type=signature.added", token: try await server.token("alice")).json
            #expect((audit["entries"] as? [[String: Any]])?.first?["user"] as? String == "rita")
        }
    }

    @Test("A token that authenticated too long ago gets 401 with the RFC 9470 challenge and changes nothing")
    func staleToken() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.project(api)
            let before = try snapshot(server.root)
            let stale = try await Self.sign(api, try await Self.token(server, "rita", age: 3600), meaning: "approved")
            #expect(stale.status == .unauthorized, "\(stale.text)")
            let challenge = try #require(stale.headers[.wwwAuthenticate])
            #expect(challenge.hasPrefix("Bearer error=\"insufficient_user_authentication\", error_description=\"you authenticated 36"), "\(challenge)")
            #expect(challenge.contains(" s ago; signing needs an authentication within the last 300 s\""), "\(challenge)")
            #expect(challenge.hasSuffix(", max_age=\"300\""), "\(challenge)")
            let error = try #require(stale.json["error"] as? [String: Any])
            #expect(error["code"] as? String == "INSUFFICIENT_USER_AUTHENTICATION" && error["missing"] as? String == "fresh_authentication")
            #expect(error["max_age"] as? String == "300" && error["auth_time"] != nil)

            let noAuthTime = try await server.authority.issue(user: "rita", lifetime: 600, authTime: nil)
            let missing = try await Self.sign(api, noAuthTime, meaning: "approved")
            #expect(missing.status == .unauthorized && (missing.json["error"] as? [String: Any])?["missing"] as? String == "auth_time", "\(missing.text)")
            // A stale token still reads: step-up is asked only where it is needed.
            #expect(try await api.request(.get, "/projects/onco", token: try await Self.token(server, "rita", age: 3600)).status == .ok)
            #expect(try snapshot(server.root) == before)
        }
    }

    @Test("With required amr and acr the challenge names what is missing: all components first, one later")
    func requiredComponents() async throws {
        let server = try await TestServer { $0.signing = SigningPolicy(maxAge: 120, requiredAMR: ["pwd", "otp"], acrValues: ["urn:foundry:signing"]) }
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.project(api)
            let acr = "urn:foundry:signing"
            let weakClass = try await Self.sign(api, try await Self.token(server, "rita", amr: ["pwd", "otp"], acr: "basic"), meaning: "reviewed")
            #expect(weakClass.status == .unauthorized && weakClass.headers[.wwwAuthenticate]?.contains("acr_values=\"urn:foundry:signing\"") == true, "\(weakClass.text)")
            #expect(weakClass.headers[.wwwAuthenticate]?.contains("max_age=\"120\"") == true)
            let onlyPassword = try await Self.sign(api, try await Self.token(server, "rita", amr: ["pwd"], acr: acr), meaning: "reviewed")
            #expect(onlyPassword.status == .unauthorized, "\(onlyPassword.text)")
            #expect(onlyPassword.headers[.wwwAuthenticate]?.hasPrefix("Bearer error=\"insufficient_user_authentication\"") == true)
            let error = try #require(onlyPassword.json["error"] as? [String: Any])
            #expect(error["missing"] as? String == "amr" && error["amr_missing"] as? String == "otp" && error["first_in_session"] as? String == "true")
            #expect(try await Self.sign(api, try await Self.token(server, "rita", amr: ["pwd", "otp"], acr: acr), meaning: "reviewed").status == .created)
            #expect(try await Self.sign(api, try await Self.token(server, "rita", amr: ["otp"], acr: acr), meaning: "approved").status == .created)
        }
    }

    @Test("A viewer cannot sign (403) whatever its token; a reviewer cannot author; bad bodies are 400 and change nothing")
    func refused() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.project(api)
            let before = try snapshot(server.root)
            let viewer = try await Self.sign(api, try await Self.token(server, "vic"), meaning: "reviewed")
            #expect(viewer.status == .forbidden && viewer.errorCode == "FORBIDDEN", "\(viewer.text)")
            #expect(try await Self.sign(api, try await Self.token(server, "vic", age: 3600), meaning: "reviewed").status == .forbidden)
            let author = try await Self.sign(api, try await Self.token(server, "rita"), meaning: "authored")
            #expect(author.status == .forbidden && author.errorMessage?.contains("may not sign authored") == true, "\(author.text)")
            let stranger = try await Self.sign(api, try await Self.token(server, "mallory"), meaning: "reviewed")
            #expect(stranger.status == .forbidden)
            let rita = try await Self.token(server, "rita")
            let meaning = try await Self.sign(api, rita, meaning: "liked")
            #expect(meaning.status == .badRequest && meaning.errorMessage == "meaning 'liked' is not one of authored, reviewed, approved, released", "\(meaning.text)")
            let released = try await Self.sign(api, try await Self.token(server, "alice"), meaning: "released")
            #expect(released.status == .badRequest && released.errorMessage?.contains("signed by freezing") == true, "\(released.text)")
            #expect(try await Self.sign(api, rita, version: 7, meaning: "reviewed").errorCode == "VERSION_NOT_FOUND")
            #expect(try await api.request(.post, "/projects/onco/signatures", token: rita, json: ["meaning": "reviewed"]).errorCode == "INVALID_JSON")
            #expect(try await Self.sign(api, rita, meaning: "reviewed", reason: String(repeating: "x", count: 2000)).status == .badRequest)
            #expect(try snapshot(server.root) == before)
        }
    }
}
