import Foundation
import FoundryServer
import Testing

@Suite("The foundry command line")
struct CommandLineTests {
    @Test("import creates a project, then a version per changed directory, then nothing when unchanged")
    func importDirectory() throws {
        let root = NSTemporaryDirectory() + "foundry-cli-" + UUID().uuidString
        let assets = root + "-assets"
        defer {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: assets)
        }
        let created = try run(foundryExecutable, ["import", fixtures + "/oncology-agent", "--project", "onco", "--user", "alice", "--root", root])
        #expect(created.status == 0, "\(created.output)")
        #expect(created.output.contains("created project onco at version 1 with 7 field(s)"))

        try FileManager.default.copyItem(atPath: fixtures + "/oncology-agent", toPath: assets)
        try FileManager.default.removeItem(atPath: assets + "/system_prompt")
        try FileManager.default.copyItem(atPath: fixtures + "/inputs/system_prompt.v2", toPath: assets + "/system_prompt")
        let second = try run(foundryExecutable, ["import", assets, "--project", "onco", "--user", "bob", "--root", root])
        #expect(second.output.contains("version 2 (0.1.2), changed: system_prompt"), "\(second.output)")
        let record = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: root + "/onco/drafts/000002.json"))) as? [String: Any]
        #expect(record?["author_id"] as? String == "bob")
        #expect(record?["kind"] as? String == "import")
        #expect((record?["session_id"] as? String)?.hasPrefix("cli-import-") == true)

        let third = try run(foundryExecutable, ["import", assets, "--project", "onco", "--user", "bob", "--root", root])
        #expect(third.output.contains("no change"))
        #expect(!FileManager.default.fileExists(atPath: root + "/onco/drafts/000003.json"))

        let refused = try run(foundryExecutable, ["import", fixtures + "/inputs", "--project", "Bad/Id", "--user", "bob", "--root", root])
        #expect(refused.status != 0)
        #expect(refused.output.contains("invalid project id"))
        let unknown = try run(foundryExecutable, ["verify", "--root", root, "--project", "nope"])
        #expect(unknown.status != 0)
        #expect(unknown.output.contains("project 'nope' not found"))
    }

    @Test("foundry token and the server share the root's secret file, created with mode 0600")
    func tokenSecretFile() async throws {
        let root = NSTemporaryDirectory() + "foundry-cli-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let minted = try run(foundryExecutable, ["token", "--user", "carol", "--root", root])
        #expect(minted.status == 0)
        let token = minted.output.trimmingCharacters(in: .whitespacesAndNewlines)
        let attributes = try FileManager.default.attributesOfItem(atPath: root + "/.foundry/jwt-secret")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)

        var configuration = ServerConfiguration(root: root, port: 0)
        // HummingbirdTesting's client connects before the test's first request and never reconnects (see TestServer).
        configuration.limits.requestHeaderTimeout = 0
        let app = try await FoundryServer.makeApplication(configuration: configuration)
        try await app.test(.live) { client in
            let accepted = try await client.executeRequest(uri: "/projects", method: .get, headers: [.authorization: "Bearer \(token)"], body: nil)
            #expect(accepted.status == .ok)
            let rejected = try await client.executeRequest(uri: "/projects", method: .get, headers: [.authorization: "Bearer \(token)x"], body: nil)
            #expect(rejected.status == .unauthorized)
        }
    }
}

import HummingbirdTesting
