import Foundation
@testable import FoundryServer
import FoundryStore
import HTTPTypes
import Testing

/// Release needs approval: the policy over HTTP, freeze refused without the
/// approvals it names, four eyes, and the signed bundle checked offline by
/// the real `foundry verify --bundle` with the key the server publishes.
@Suite("Release approval over HTTP")
struct ReleaseRouteTests {
    static func freeze(_ api: APIClient, _ token: String) async throws -> APIResponse {
        try await api.request(.post, "/projects/onco/freeze", token: token, json: ["version": 1])
    }

    @Test("Freeze without the required approvals is refused naming them; with a stale token it is 401")
    func approvalsMissing() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await SignatureRouteTests.project(api)
            let alice = try await SignatureRouteTests.token(server, "alice")
            let before = try snapshot(server.root)
            let refused = try await Self.freeze(api, alice)
            #expect(refused.status == .conflict && refused.errorCode == "APPROVAL_REQUIRED", "\(refused.text)")
            let error = try #require(refused.json["error"] as? [String: Any])
            #expect(error["required"] as? String == "1" && error["approvals"] as? String == "0" && error["missing"] as? String == "1" && error["version"] as? String == "1")
            #expect(refused.errorMessage?.contains("version 1 needs 1 approved signature(s)") == true, "\(refused.text)")
            let stale = try await Self.freeze(api, try await SignatureRouteTests.token(server, "alice", age: 900))
            #expect(stale.status == .unauthorized && stale.headers[.wwwAuthenticate]?.contains("insufficient_user_authentication") == true)
            #expect(try snapshot(server.root) == before)

            #expect(try await SignatureRouteTests.sign(api, try await SignatureRouteTests.token(server, "rita"), meaning: "approved").status == .created)
            let frozen = try await Self.freeze(api, alice)
            #expect(frozen.status == .created, "\(frozen.text)")
            let signatures = try #require((frozen.json["manifest"] as? [String: Any])?["signatures"] as? [[String: Any]])
            #expect(signatures.map { $0["meaning"] as? String } == ["approved", "released"])
            #expect(signatures.map { $0["signer_id"] as? String } == ["rita", "alice"])
        }
    }

    @Test("The release policy is the owner's, audited; four eyes refuses the sole author's approval")
    func fourEyes() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await SignatureRouteTests.project(api)
            let alice = try await SignatureRouteTests.token(server, "alice")
            let policy: [String: Any] = ["approvals_required": 1, "four_eyes": true]
            #expect(try await api.request(.put, "/projects/onco/release-policy", token: try await server.token("bob"), json: policy).status == .forbidden)
            #expect(try await api.request(.put, "/projects/onco/release-policy", token: alice, json: ["approvals_required": 99, "four_eyes": true]).status == .badRequest)
            let set = try await api.request(.put, "/projects/onco/release-policy", token: alice, json: policy)
            #expect(set.status == .ok && set.json["four_eyes"] as? Bool == true, "\(set.text)")
            #expect(try await api.request(.get, "/projects/onco/release-policy", token: try await server.token("vic")).json["approvals_required"] as? Int == 1)
            #expect((try await api.request(.get, "/projects/onco", token: alice).json["release_policy"] as? [String: Any])?["four_eyes"] as? Bool == true)

            #expect(try await SignatureRouteTests.sign(api, alice, meaning: "approved").status == .created)
            let refused = try await Self.freeze(api, alice)
            #expect(refused.status == .conflict && refused.errorCode == "APPROVAL_REQUIRED", "\(refused.text)")
            let error = try #require(refused.json["error"] as? [String: Any])
            #expect(error["excluded"] as? String == "alice" && error["authors"] as? String == "alice" && error["four_eyes"] as? String == "true")
            #expect(refused.errorMessage?.contains("under four eyes the approval of alice does not count") == true, "\(refused.text)")
            #expect(try await SignatureRouteTests.sign(api, try await SignatureRouteTests.token(server, "rita"), meaning: "approved").status == .created)
            #expect(try await Self.freeze(api, alice).status == .created)
            let audit = try await api.request(.get, "/projects/onco/audit?type=release_policy.set", token: alice).json
            #expect((audit["entries"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test("verify --bundle accepts the published bundle with the key from /.well-known/foundry-keys.json, and names an edited MANIFEST")
    func offlineBundle() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await SignatureRouteTests.project(api)
            #expect(try await SignatureRouteTests.sign(api, try await SignatureRouteTests.token(server, "rita", name: "Rita Reviewer"), meaning: "approved").status == .created)
            let frozen = try await Self.freeze(api, try await SignatureRouteTests.token(server, "alice", name: "Alice Owner"))
            #expect(frozen.status == .created, "\(frozen.text)")
            let keys = try await api.request(.get, "/.well-known/foundry-keys.json", token: nil)
            #expect(keys.status == .ok && keys.headers[.contentType] == "application/jwk-set+json")
            let keyFile = server.root + "-published-keys.json"
            try keys.body.write(to: URL(fileURLWithPath: keyFile))
            defer { try? FileManager.default.removeItem(atPath: keyFile) }

            let bundle = server.root + "/onco/bundles/onco-0.1.1"
            let copy = server.root + "-copy"
            defer { try? FileManager.default.removeItem(atPath: copy) }
            #expect(try run("/usr/bin/rsync", ["-a", bundle + "/", copy + "/"]).status == 0)
            let clean = try run(foundryExecutable, ["verify", "--bundle", copy, "--key", keyFile])
            #expect(clean.status == 0 && clean.output.contains("2 signature(s)") && clean.output.contains("OK"), "\(clean.output)")
            let root = try run(foundryExecutable, ["verify", "--root", server.root])
            #expect(root.status == 0, "\(root.output)")

            try ReleaseApprovalFixture.forge(copy, "MANIFEST.json") { $0.replacingOccurrences(of: "Alice Owner", with: "Someone Else") }
            let edited = try run(foundryExecutable, ["verify", "--bundle", copy, "--key", keyFile])
            #expect(edited.status == 1 && edited.output.contains("DAMAGE: \(copy)/MANIFEST.json: is not the MANIFEST.json the server sealed"), "\(edited.output)")
        }
    }
}

/// What a forger with write access to a bundle copy does: edit a file, then recompute SHA256SUMS.
enum ReleaseApprovalFixture {
    static func forge(_ copy: String, _ relative: String, _ change: (String) -> String) throws {
        let path = copy + "/" + relative
        chmod(path, 0o644)
        try change(try String(contentsOfFile: path, encoding: .utf8)).write(toFile: path, atomically: false, encoding: .utf8)
        chmod(copy + "/SHA256SUMS", 0o644)
        let sums = try run("/bin/sh", ["-c", "find . -type f ! -name SHA256SUMS ! -name SEAL.json | sed 's|^./||' | LC_ALL=C sort | xargs sha256sum > SHA256SUMS"], in: copy)
        #expect(sums.status == 0, "\(sums.output)")
    }
}
