import Foundation
import FoundryStore
import HTTPTypes
import Testing

/// Export, tarballs and freeze over HTTP, against a real server, checked
/// with GNU tar and sha256sum and a real WebSocket client.
@Suite("Staging: export, tarballs, freeze")
struct StagingTests {
    static let session = HTTPField.Name("X-Foundry-Session")!

    /// `onco` at version 1 from the sample agent; bob is an editor, vera a viewer.
    static func project(_ api: APIClient) async throws {
        let alice = try await api.server.token("alice")
        let fields = try AssetDirectory.read(fixtures + "/oncology-agent")
        let created = try await api.request(.post, "/projects", token: alice, json: [
            "name": "Oncology", "id": "onco", "members": ["bob": "editor", "vera": "viewer"],
            "fields": Dictionary(uniqueKeysWithValues: fields.map { ($0.key.rawValue, $0.value) }),
        ])
        #expect(created.status == .created, "\(created.text)")
    }

    /// Saves `text` into `field` as `user` (lock, save from the head, release).
    static func save(_ api: APIClient, _ user: String, _ field: String, _ text: String) async throws -> APIResponse {
        let token = try await api.server.token(user)
        let head = try await api.request(.get, "/projects/onco", token: token).json["head_version"] as? Int ?? 0
        _ = try await api.request(.put, "/projects/onco/locks/\(field)", token: token)
        return try await api.request(.post, "/projects/onco/drafts", token: token, json: ["base_version": head, "fields": [field: text]])
    }

    static func write(_ data: Data, _ name: String, in directory: String) throws -> String {
        let path = directory + "/" + name
        try data.write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test("Export: the payload is the version's contents and hashes; a viewer may read it")
    func export() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.project(api)
            let vera = try await server.token("vera")
            let response = try await api.request(.get, "/projects/onco/export", token: vera)
            #expect(response.status == .ok, "\(response.text)")
            let payload = try JSONDecoder().decode(ExportPayload.self, from: response.body)
            let draft = try await api.request(.get, "/projects/onco/drafts/1", token: vera).json
            #expect(payload.version == 1 && payload.draftID == draft["id"] as? String && payload.label == "0.1.1")
            #expect(payload.fields.mapValues(\.content) == draft["contents"] as? [String: String])
            let hashes = (draft["fields"] as? [String: [String: Any]])?.mapValues { $0["sha256"] as? String }
            #expect(payload.fields.mapValues(\.sha256) == hashes)
            #expect(payload.modelConfig["model"] == .string("clinical-reasoner-large-2026-06"))
            #expect(payload.topology["entry"] == .string("router"))

            #expect(try await Self.save(api, "bob", "model_config.json", "{\n  \"temperature\": \n}\n").status == .created)
            let refused = try await api.request(.get, "/projects/onco/export?version=current", token: vera)
            #expect(refused.status.code == 422 && refused.errorCode == "INVALID_CONTENT", "\(refused.text)")
            let error = refused.json["error"] as? [String: Any]
            #expect(error?["field"] as? String == "model_config.json" && error?["line"] as? String == "3" && error?["version"] as? String == "2")
            #expect(refused.errorMessage?.contains("'model_config.json' of version 2 is not valid: line 3") == true, "\(refused.text)")
            let older = try await api.request(.get, "/projects/onco/export?version=1", token: vera)
            #expect(try JSONDecoder().decode(ExportPayload.self, from: older.body) == payload)
            #expect(try await api.request(.get, "/projects/onco/export?version=abc", token: vera).errorCode == "INVALID_VERSION")
            #expect(try await api.request(.get, "/projects/onco/export?version=9", token: vera).errorCode == "VERSION_NOT_FOUND")
            #expect(try await api.request(.get, "/projects/onco/export", token: try await server.token("mallory")).status == .forbidden)
        }
    }

    @Test("The tarball of a version: identical bytes on every request, sorted, 0/0, mtime = the version's time")
    func versionTarball() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.project(api)
            let vera = try await server.token("vera")
            let first = try await api.request(.get, "/projects/onco/drafts/1/archive.tar.gz", token: vera)
            #expect(first.status == .ok)
            #expect(first.headers[.contentType] == "application/gzip")
            #expect(first.headers[.contentDisposition] == "attachment; filename=\"onco-0.1.1.tar.gz\"")
            #expect(first.headers[HTTPField.Name("X-Content-SHA256")!] == Digest.sha256(first.body))
            #expect(try await Self.save(api, "bob", "system_prompt", "new prompt\n").status == .created)
            let second = try await api.request(.get, "/projects/onco/drafts/1/archive.tar.gz", token: vera)
            #expect(second.body == first.body, "byte-identical")
            let head = try await api.request(.get, "/projects/onco/drafts/current/archive.tar.gz", token: vera)
            #expect(head.body != first.body && head.headers[.contentDisposition]?.contains("onco-0.1.2.tar.gz") == true)

            let created = try #require(try await api.request(.get, "/projects/onco/drafts/1", token: vera).json["created_at"] as? String)
            let contents = try #require(try await api.request(.get, "/projects/onco/drafts/1", token: vera).json["contents"] as? [String: String])
            let body = first.body
            let (listing, extracted, sums) = try await blocking { () -> (String, [String: Data], Int32) in
                let directory = NSTemporaryDirectory() + "foundry-tar-" + UUID().uuidString
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(atPath: directory) }
                let archive = try Self.write(body, "v1.tar.gz", in: directory)
                let listing = try run("/usr/bin/tar", ["--numeric-owner", "--full-time", "--utc", "-tvzf", archive]).output
                _ = try run("/usr/bin/tar", ["-xzf", archive, "-C", directory])
                var extracted: [String: Data] = [:]
                for name in contents.keys { extracted[name] = FileManager.default.contents(atPath: directory + "/onco-0.1.1/files/" + name) }
                return (listing, extracted, try run("/usr/bin/sha256sum", ["-c", "SHA256SUMS"], in: directory + "/onco-0.1.1").status)
            }
            let lines = listing.split(separator: "\n").map(String.init)
            let names = lines.compactMap { $0.split(separator: " ").last.map(String.init) }
            // 7 fields, MANIFEST.json, SHA256SUMS and 4 directories (top, files, files/fewshot, files/tests).
            #expect(names == names.sorted() && names.count == contents.count + 6, "\(listing)")
            let stamp = String(created.prefix(19)).replacingOccurrences(of: "T", with: " ")
            #expect(lines.allSatisfy { $0.contains(" 0/0 ") && $0.contains(stamp) }, "\(listing)")
            #expect(extracted == contents.mapValues { Data($0.utf8) })
            #expect(sums == 0)
        }
    }

    @Test("Freeze: 403 for a non-owner, PROJECT_FROZEN on the socket, the bundle served as JSON and tarball, every write then 423")
    func freeze() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.project(api)
            let alice = try await server.token("alice")
            let bob = try await server.token("bob")
            let socket = TestSocket(port: api.port, path: "/ws/project/onco?token=\(try await server.token("vera"))&session=vera-tab")
            defer { socket.close() }
            #expect(await socket.next("SNAPSHOT") != nil)
            #expect(try await Self.save(api, "bob", "system_prompt", "v2 prompt\n").status == .created)

            let before = try snapshot(server.root)
            let forbidden = try await api.request(.post, "/projects/onco/freeze", token: bob)
            #expect(forbidden.status == .forbidden && forbidden.errorCode == "FORBIDDEN")
            #expect(try snapshot(server.root) == before)

            let unapproved = try await api.request(.post, "/projects/onco/freeze", token: alice, json: ["version": 2])
            #expect(unapproved.status == .conflict && unapproved.errorCode == "APPROVAL_REQUIRED", "\(unapproved.text)")
            #expect(try snapshot(server.root) == before)
            let approved = try await api.request(.post, "/projects/onco/signatures", token: alice, json: ["version": 2, "meaning": "approved"])
            #expect(approved.status == .created, "\(approved.text)")
            let frozen = try await api.request(.post, "/projects/onco/freeze", token: alice, json: ["version": 2])
            #expect(frozen.status == .created, "\(frozen.text)")
            #expect(frozen.headers[.location] == "/projects/onco/bundles/onco-0.1.2")
            #expect(frozen.json["bundle"] as? String == "onco-0.1.2" && frozen.json["version"] as? Int == 2)
            #expect(frozen.json["frozen_by"] as? String == "alice" && frozen.json["reused"] as? Bool == false)
            let event = try #require(await socket.next("PROJECT_FROZEN"))
            #expect(event["head_version"]?.int == 2)

            let project = try await api.request(.get, "/projects/onco", token: bob).json
            #expect(project["state"] as? String == "frozen")
            #expect((project["freeze"] as? [String: Any])?["bundle"] as? String == "onco-0.1.2")
            let list = try await api.request(.get, "/projects/onco/bundles", token: bob).json["bundles"] as? [[String: Any]]
            #expect(list?.map { $0["bundle"] as? String } == ["onco-0.1.2"])
            let manifest = try await api.request(.get, "/projects/onco/bundles/onco-0.1.2", token: bob)
            #expect(Digest.sha256(manifest.body) == frozen.json["manifest_sha256"] as? String)
            #expect(manifest.body == FileManager.default.contents(atPath: server.root + "/onco/bundles/onco-0.1.2/MANIFEST.json"))
            let audit = try await api.request(.get, "/projects/onco/audit?type=project.frozen", token: alice).json["entries"] as? [[String: Any]]
            #expect((audit?.first?["data"] as? [String: Any])?["manifest_sha256"] as? String == Digest.sha256(manifest.body))
            #expect(try await api.request(.get, "/projects/onco/bundles/nope", token: bob).errorCode == "BUNDLE_NOT_FOUND")
            #expect(try await api.request(.get, "/projects/onco/bundles/..%2Fx", token: bob).errorCode == "INVALID_BUNDLE_NAME")

            let tarball = try await api.request(.get, "/projects/onco/bundles/onco-0.1.2/archive.tar.gz", token: bob)
            let again = try await api.request(.get, "/projects/onco/bundles/onco-0.1.2/archive.tar.gz", token: bob)
            #expect(tarball.status == .ok && tarball.body == again.body)
            let frozenAt = try #require(frozen.json["frozen_at"] as? String)
            let bundleDirectory = server.root + "/onco/bundles/onco-0.1.2"
            let body = tarball.body
            let (listing, sums, diff) = try await blocking { () -> (String, Int32, Int32) in
                let directory = NSTemporaryDirectory() + "foundry-bundle-" + UUID().uuidString
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
                defer { try? FileManager.default.removeItem(atPath: directory) }
                let archive = try Self.write(body, "b.tar.gz", in: directory)
                let listing = try run("/usr/bin/tar", ["--numeric-owner", "--full-time", "--utc", "-tvzf", archive]).output
                _ = try run("/usr/bin/tar", ["-xzf", archive, "-C", directory])
                return (listing, try run("/usr/bin/sha256sum", ["-c", "SHA256SUMS"], in: directory + "/onco-0.1.2").status,
                        try run("/usr/bin/diff", ["-r", directory + "/onco-0.1.2", bundleDirectory]).status)
            }
            let stamp = String(frozenAt.prefix(19)).replacingOccurrences(of: "T", with: " ")
            #expect(!listing.isEmpty && listing.split(separator: "\n").allSatisfy { $0.contains(" 0/0 ") && $0.contains(stamp) }, "\(listing)")
            #expect(sums == 0)
            #expect(diff == 0, "the tarball holds the bundle's exact files")

            // Every write now answers 423 PROJECT_FROZEN and changes nothing.
            let after = try snapshot(server.root)
            let writes: [(HTTPRequest.Method, String, String?)] = [
                (.put, "/projects/onco/locks/system_prompt", nil),
                (.post, "/projects/onco/drafts", #"{"base_version": 2, "fields": {"system_prompt": "x"}}"#),
                (.post, "/projects/onco/revert", #"{"to_version": 1}"#),
                (.post, "/projects/onco/fields/system_prompt/undo", nil),
                (.post, "/projects/onco/fields/topology.yaml/redo", nil),
            ]
            for (method, uri, body) in writes {
                let refused = try await api.request(method, uri, token: bob, body: body.map { Data($0.utf8) })
                #expect(refused.status.code == 423 && refused.errorCode == "PROJECT_FROZEN", "\(uri): \(refused.text)")
            }
            let twice = try await api.request(.post, "/projects/onco/freeze", token: alice, json: ["name": "another"])
            #expect(twice.status == .conflict && twice.errorCode == "ALREADY_FROZEN", "\(twice.text)")
            #expect((twice.json["error"] as? [String: Any])?["bundle"] as? String == "onco-0.1.2")
            let lockSocket = TestSocket(port: api.port, path: "/ws/project/onco?token=\(bob)&session=bob-tab")
            defer { lockSocket.close() }
            #expect(await lockSocket.next("SNAPSHOT") != nil)
            lockSocket.send(#"{"type": "LOCK_ACQUIRE", "field": "system_prompt", "ref": "f1"}"#)
            #expect(await lockSocket.next("ERROR")?["code"]?.string == "PROJECT_FROZEN")
            #expect(try snapshot(server.root) == after)
        }
    }

    @Test("Freeze refused: invalid JSON (field and line), a held lock (field and holder), a bad name, an old version; nothing is written")
    func freezeRefused() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.project(api)
            let alice = try await server.token("alice")
            let bob = try await server.token("bob")
            #expect(try await Self.save(api, "bob", "topology.yaml", "entry: router\nnodes: [a, b\n").status == .created)
            #expect(try await api.request(.put, "/projects/onco/locks/system_prompt", token: bob).status == .ok)
            let before = try snapshot(server.root)

            let locked = try await api.request(.post, "/projects/onco/freeze", token: alice)
            #expect(locked.status == .conflict && locked.errorCode == "LOCKS_HELD", "\(locked.text)")
            let lockError = locked.json["error"] as? [String: Any]
            #expect(lockError?["fields"] as? String == "system_prompt" && lockError?["holders"] as? String == "bob")
            #expect(locked.errorMessage?.contains("'system_prompt' by bob (session bob-tab)") == true)

            _ = try await api.request(.delete, "/projects/onco/locks/system_prompt", token: bob)
            let afterRelease = try snapshot(server.root)
            let invalid = try await api.request(.post, "/projects/onco/freeze", token: alice)
            #expect(invalid.status.code == 422 && invalid.errorCode == "INVALID_CONTENT", "\(invalid.text)")
            let error = invalid.json["error"] as? [String: Any]
            #expect(error?["field"] as? String == "topology.yaml" && error?["line"] as? String == "3", "\(invalid.text)")

            let badName = try await api.request(.post, "/projects/onco/freeze", token: alice, json: ["name": "../up"])
            #expect(badName.status == .badRequest && badName.errorCode == "INVALID_BUNDLE_NAME")
            let old = try await api.request(.post, "/projects/onco/freeze", token: alice, json: ["version": 1])
            #expect(old.status == .conflict && old.errorCode == "CONFLICT", "\(old.text)")
            let badBody = try await api.request(.post, "/projects/onco/freeze", token: alice, body: Data("{\"version\": \"two\"}".utf8))
            #expect(badBody.status == .badRequest && badBody.errorCode == "INVALID_JSON")

            #expect(try snapshot(server.root) == afterRelease)
            #expect(before.keys.contains { $0.hasPrefix("onco/locks/system_prompt") })
            #expect(!FileManager.default.fileExists(atPath: server.root + "/onco/bundles"))
            #expect(try await api.request(.get, "/projects/onco", token: alice).json["state"] as? String == "open")
            #expect((try await api.request(.get, "/projects/onco/bundles", token: alice).json["bundles"] as? [Any])?.isEmpty == true)
        }
    }
}
