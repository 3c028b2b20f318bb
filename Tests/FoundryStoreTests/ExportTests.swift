import Foundation
import Testing
@testable import FoundryStore

/// The run payload and the reproducible tarball of a version.
@Suite("Export of a version")
struct ExportTests {
    static var agentFields: [String: String] {
        let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("fixtures/oncology-agent").path
        return Dictionary(uniqueKeysWithValues: try! AssetDirectory.read(directory).map { ($0.key.rawValue, $0.value) })
    }

    @Test("The payload holds every field's text and hash, the model config and the topology parsed")
    func payload() throws {
        let (directory, _, store) = try makeProject(Self.agentFields)
        defer { directory.cleanup() }
        let payload = try store.exportPayload(1)
        let draft = try store.draft(1)
        #expect(payload.projectID == "onco" && payload.version == 1 && payload.label == "0.1.1")
        #expect(payload.draftID == draft.id && payload.createdAt == draft.record.createdAt && payload.authorID == "alice")
        let contents = try store.contents(of: 1)
        #expect(payload.fields.mapValues(\.content) == contents)
        for (name, entry) in draft.record.fields {
            #expect(payload.fields[name]?.sha256 == entry.sha256 && payload.fields[name]?.size == entry.size)
            #expect(Digest.sha256(Data(payload.fields[name]!.content.utf8)) == entry.sha256)
        }
        #expect(payload.modelConfig["temperature"] == .double(0.1))
        #expect(payload.modelConfig["max_tokens"] == .int(1200))
        #expect(payload.topology["entry"] == .string("router"))
        #expect(payload.topology["version"] == .double(0.1))
        if case .array(let nodes) = payload.topology["nodes"] {
            #expect(nodes.first?["id"] == .string("router") && nodes.count == 7)
        } else {
            Issue.record("topology.nodes is not an array: \(String(describing: payload.topology["nodes"]))")
        }
        let encoded = try JSONSerialization.jsonObject(with: try JSONEncoder().encode(payload)) as? [String: Any]
        #expect(Set(encoded?.keys.map { $0 } ?? []) == ["format", "project_id", "draft_id", "version", "label", "created_at", "author_id", "fields", "model_config", "topology"])
    }

    @Test("YAML timestamps stay text, several documents become an array; no config gives null")
    func yamlShapes() throws {
        let (directory, _, store) = try makeProject(["topology.yaml": "a: 2026-11-25\nb: !!binary aGk=\nc: .inf\n---\nd: [1, 2]\n", "system_prompt": "x\n"])
        defer { directory.cleanup() }
        let payload = try store.exportPayload(1)
        #expect(payload.topology == .array([
            .object(["a": "2026-11-25", "b": "aGk=", "c": ".inf"]),
            .object(["d": .array([1, 2])]),
        ]))
        #expect(payload.modelConfig == .null)
    }

    @Test("A version with invalid JSON, JSONL or YAML is refused naming field, line and column")
    func invalid() throws {
        let (directory, _, store) = try makeProject(["system_prompt": "x\n", "tests/bec.jsonl": "{}\n{\"a\": }\n", "topology.yaml": "a: [1, 2\n"])
        defer { directory.cleanup() }
        #expect(throws: StoreError.invalidContent(field: "tests/bec.jsonl", version: 1, problem: try #require(store.draft(1).record.fields["tests/bec.jsonl"]?.problem))) {
            try store.exportPayload(1)
        }
        #expect(try store.draft(1).record.fields["tests/bec.jsonl"]?.problem?.line == 2)
        // The tarball is a faithful copy and is still made; its manifest says what does not parse.
        let (_, data) = try store.versionArchive(1)
        #expect(!data.isEmpty)
        #expect(try store.releaseTree(of: 1).manifest.fields["topology.yaml"]?.valid == false)
    }

    @Test("The tarball of a version is the same bytes every time, and GNU tar reads it back exactly")
    func tarball() throws {
        let (directory, _, store) = try makeProject(Self.agentFields)
        defer { directory.cleanup() }
        let first = try store.versionArchive(1)
        #expect(first.name == "onco-0.1.1.tar.gz")
        try lockAndSave(store, "system_prompt", "changed\n", as: alice)
        let again = try store.versionArchive(1)
        #expect(again.data == first.data, "a later version does not change version 1's tarball")
        #expect(try store.versionArchive(2).data != first.data)

        let archive = directory.path + "/v1.tar.gz"
        try first.data.write(to: URL(fileURLWithPath: archive))
        let listing = try run("/usr/bin/tar", ["--numeric-owner", "--full-time", "--utc", "-tvzf", archive])
        #expect(listing.status == 0, "\(listing.output)")
        let lines = listing.output.split(separator: "\n").map(String.init)
        let names = lines.compactMap { $0.split(separator: " ").last.map(String.init) }
        #expect(names == names.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
        #expect(names.first == "onco-0.1.1/")
        #expect(names.contains("onco-0.1.1/MANIFEST.json") && names.contains("onco-0.1.1/SHA256SUMS") && names.contains("onco-0.1.1/files/fewshot/eligibility.jsonl"))
        let created = try store.draft(1).record.createdAt  // 2026-11-25T16:49:54.777Z → "2026-11-25 16:49:54"
        let stamp = String(created.prefix(19)).replacingOccurrences(of: "T", with: " ")
        for line in lines {
            #expect(line.contains(" 0/0 ") && line.contains(stamp), "\(line) should be 0/0 at \(stamp)")
        }

        let out = directory.path + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        #expect(try run("/usr/bin/tar", ["-xzf", archive, "-C", out]).status == 0)
        for (name, text) in try store.contents(of: 1) {
            #expect(FileManager.default.contents(atPath: out + "/onco-0.1.1/files/" + name) == Data(text.utf8), "\(name)")
        }
        let check = try run("/usr/bin/sha256sum", ["-c", "--strict", "SHA256SUMS"], in: out + "/onco-0.1.1")
        #expect(check.status == 0, "\(check.output)")
        let manifest = try JSONDecoder().decode(ReleaseManifest.self, from: try #require(FileManager.default.contents(atPath: out + "/onco-0.1.1/MANIFEST.json")))
        let expected = try store.releaseTree(of: 1).manifest
        #expect(manifest == expected)
        #expect(manifest.frozenBy == nil && manifest.frozenAt == nil && manifest.projectName == nil)
    }
}
