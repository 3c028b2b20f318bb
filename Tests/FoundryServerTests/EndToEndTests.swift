import Foundation
import FoundryStore
import Testing

/// The "done when" story, against a real server and real tools.
@Suite("End to end: a project from the fixture through saves, diff, revert, undo, redo, verify")
struct EndToEndTests {
    @Test("Two users lock and save, the diff applies with GNU patch, history and files check out, verify catches a corrupt blob")
    func fullStory() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        let alice = try await server.token("alice")
        let bob = try await server.token("bob")
        let assets = try AssetDirectory.read(fixtures + "/oncology-agent")
        let fields = Dictionary(uniqueKeysWithValues: assets.map { ($0.key.rawValue, $0.value) })
        #expect(fields.keys.contains("system_prompt") && fields.keys.contains("topology.yaml"))

        try await server.run { api in
            let created = try await api.request(.post, "/projects", token: alice, json: ["name": "Oncology Clinical Protocol Agent", "id": "onco", "fields": fields, "members": ["bob": "editor"]])
            #expect(created.status == .created)
            #expect(created.json["head_version"] as? Int == 1)

            // v2: alice edits the system prompt under her lock.
            let promptV2 = try String(contentsOfFile: fixtures + "/inputs/system_prompt.v2", encoding: .utf8)
            #expect(try await api.request(.put, "/projects/onco/locks/system_prompt", token: alice).status == .ok)
            let v2 = try await api.request(.post, "/projects/onco/drafts", token: alice, json: ["base_version": 1, "fields": ["system_prompt": promptV2], "message": "clarify escalation"])
            #expect(v2.status == .created)
            #expect(v2.json["version_number"] as? Int == 2)
            #expect(v2.json["author_id"] as? String == "alice")

            // v3: bob edits the model config; v4: alice extends the BEC corpus.
            let configV2 = try String(contentsOfFile: fixtures + "/inputs/model_config.v2.json", encoding: .utf8)
            #expect(try await api.request(.put, "/projects/onco/locks/model_config.json", token: bob).status == .ok)
            let v3 = try await api.request(.post, "/projects/onco/drafts", token: bob, json: ["base_version": 2, "fields": ["model_config.json": configV2]])
            #expect(v3.json["author_id"] as? String == "bob")
            let corpus = fields["tests/bec.jsonl"]! + "{\"id\": \"bec-999\", \"input\": \"new case\"}\n"
            #expect(try await api.request(.put, "/projects/onco/locks/tests/bec.jsonl", token: alice).status == .ok)
            let v4 = try await api.request(.post, "/projects/onco/drafts", token: alice, json: ["base_version": 2, "fields": ["tests/bec.jsonl": corpus]])
            #expect(v4.status == .created)
            #expect(v4.json["version_number"] as? Int == 4)

            // The unified diff v1 → v4 turns v1's files into v4's with GNU patch.
            let diff = try await api.request(.get, "/projects/onco/diff?from=1&to=4", token: bob)
            #expect(diff.status == .ok)
            #expect(diff.text.contains("diff --git a/system_prompt b/system_prompt"))
            let tree = NSTemporaryDirectory() + "foundry-patch-" + UUID().uuidString
            defer { try? FileManager.default.removeItem(atPath: tree) }
            for (name, text) in fields {
                try FileManager.default.createDirectory(atPath: (tree + "/" + name as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try text.write(toFile: tree + "/" + name, atomically: true, encoding: .utf8)
            }
            try diff.text.write(toFile: tree + ".patch", atomically: true, encoding: .utf8)
            defer { try? FileManager.default.removeItem(atPath: tree + ".patch") }
            let patch = try run("/usr/bin/patch", ["-p1", "--batch", "--forward", "-i", tree + ".patch"], in: tree)
            #expect(patch.status == 0, "\(patch.output)")
            #expect(try String(contentsOfFile: tree + "/system_prompt", encoding: .utf8) == promptV2)
            #expect(try String(contentsOfFile: tree + "/model_config.json", encoding: .utf8) == configV2)
            #expect(try String(contentsOfFile: tree + "/tests/bec.jsonl", encoding: .utf8) == corpus)

            let jsonDiff = try await api.request(.get, "/projects/onco/diff?from=1&to=4&format=json", token: bob)
            #expect(jsonDiff.json["changed"] as? [String] == ["model_config.json", "system_prompt", "tests/bec.jsonl"])
            let same = try await api.request(.get, "/projects/onco/diff?from=4&to=4", token: bob)
            #expect(same.status == .ok && same.body.isEmpty)

            // v5 = revert to 2; v6 = undo of model_config.json (back to bob's v3 text); v7 = redo.
            let v5 = try await api.request(.post, "/projects/onco/revert", token: bob, json: ["to_version": 2])
            #expect(v5.status == .created)
            #expect(v5.json["reverted_to"] as? Int == 2)
            let v6 = try await api.request(.post, "/projects/onco/fields/model_config.json/undo", token: alice)
            #expect(v6.json["version_number"] as? Int == 6)
            let config6 = try await api.request(.get, "/projects/onco/drafts/6/fields/model_config.json", token: alice)
            #expect(config6.text == configV2)
            let v7 = try await api.request(.post, "/projects/onco/fields/model_config.json/redo", token: alice)
            #expect(v7.json["version_number"] as? Int == 7)
            let current = try await api.request(.get, "/projects/onco/drafts/current", token: alice)
            #expect((current.json["contents"] as? [String: Any])?["model_config.json"] as? String == fields["model_config.json"])
        }

        // The files on disk, checked with the real sha256sum and without the server.
        let project = server.root + "/onco"
        var previous: String?
        for version in 1...7 {
            let path = project + String(format: "/drafts/%06d.json", version)
            let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as! [String: Any]
            #expect(record["version_number"] as? Int == version)
            #expect(record["label"] as? String == "0.1.\(version)")
            #expect(record["parent_id"] as? String == previous)
            for case let (_, entry as [String: Any]) in record["fields"] as! [String: Any] {
                let hash = entry["sha256"] as! String
                let blob = project + "/objects/sha256/" + hash.prefix(2) + "/" + hash.dropFirst(2)
                #expect(try run("/usr/bin/sha256sum", [blob]).output.hasPrefix(hash))
            }
            previous = String(try run("/usr/bin/sha256sum", [path]).output.prefix(64))
        }
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: project + "/project.json"))) as! [String: Any]
        #expect(manifest["head_version"] as? Int == 7)
        #expect(manifest["current_draft_id"] as? String == previous)

        let verified = try run(foundryExecutable, ["verify", "--root", server.root])
        #expect(verified.status == 0, "\(verified.output)")
        #expect(verified.output.contains("7 version(s)"))

        let promptHash = try Digest.sha256(fileAt: fixtures + "/inputs/system_prompt.v2")!
        let blob = project + "/objects/sha256/" + promptHash.prefix(2) + "/" + promptHash.dropFirst(2)
        chmod(blob, 0o644)
        try Data("tampered\n".utf8).write(to: URL(fileURLWithPath: blob))
        let damaged = try run(foundryExecutable, ["verify", "--root", server.root, "--project", "onco"])
        #expect(damaged.status == 1)
        #expect(damaged.output.contains(blob))
    }
}
