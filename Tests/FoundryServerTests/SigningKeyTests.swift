import Foundation
@testable import FoundryServer
import FoundryStore
import HummingbirdTesting
import Testing

/// The server's signing key on disk, a key given by path (as openssl makes
/// one), and dev tokens that may sign.
@Suite("The server signing key and signing tokens")
struct SigningKeyTests {
    @Test("On first start the key is created mode 0600 under the root and published; openssl derives the same public key")
    func generatedKey() async throws {
        let root = NSTemporaryDirectory() + "foundry-key-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let app = try await FoundryServer.makeApplication(configuration: ServerConfiguration(root: root, port: 0, jwtSecret: TestServer.secret))
        let attributes = try FileManager.default.attributesOfItem(atPath: root + "/.foundry/signing-key")
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
        try await app.test(.live) { client in
            let published = try await client.executeRequest(uri: "/.well-known/foundry-keys.json", method: .get, headers: [:], body: nil)
            let keys = try #require(SigningKeySet(parsing: Data(published.body.readableBytesView)))
            let derived = try run("/usr/bin/openssl", ["pkey", "-in", root + "/.foundry/signing-key", "-pubout"])
            #expect(keys.keys.map(\.pem) == [derived.output], "\(derived.output)")
            #expect(try SigningKeySet.read(root + "/.foundry/foundry-keys.json") == keys)
        }
    }

    @Test("A key given by path (openssl genpkey) signs; one others may read is refused; a rotation keeps the old key published")
    func keyByPath() async throws {
        let root = NSTemporaryDirectory() + "foundry-key-" + UUID().uuidString
        let elsewhere = root + "-keys"
        defer {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: elsewhere)
        }
        try FileManager.default.createDirectory(atPath: elsewhere, withIntermediateDirectories: true)
        #expect(try run("/usr/bin/openssl", ["genpkey", "-algorithm", "ed25519", "-out", elsewhere + "/key.pem"]).status == 0)
        chmod(elsewhere + "/key.pem", 0o644)
        var configuration = ServerConfiguration(root: root, port: 0, jwtSecret: TestServer.secret)
        configuration.signingKeyPath = elsewhere + "/key.pem"
        await #expect(throws: StoreError.self) { _ = try await FoundryServer.makeApplication(configuration: configuration) }
        do { _ = try Workspace(root: root, signing: configuration.notaryOptions) } catch {
            #expect("\(error)".contains("may be read by others (mode 644); chmod 600 it"), "\(error)")
        }

        _ = try Workspace(root: root, signing: NotaryOptions())  // the root's own key first
        chmod(elsewhere + "/key.pem", 0o600)
        let workspace = try Workspace(root: root, signing: configuration.notaryOptions)
        let notary = try #require(workspace.notary)
        let derived = try run("/usr/bin/openssl", ["pkey", "-in", elsewhere + "/key.pem", "-pubout"])
        #expect(notary.key.publicKey.pem == derived.output)
        #expect(notary.keys.keys.count == 2 && notary.keys.key(notary.key.publicKey.kid) != nil, "the old key stays published")
        #expect(!FileManager.default.fileExists(atPath: root + "/.foundry/key.pem"))
    }

    @Test("foundry token mints auth_time (now, or --auth-age ago), amr and acr")
    func devToken() throws {
        let root = NSTemporaryDirectory() + "foundry-cli-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let minted = try run(foundryExecutable, ["token", "--user", "rita", "--name", "Rita Reviewer", "--amr", "pwd, otp", "--acr", "urn:foundry:signing", "--auth-age", "600", "--root", root])
        #expect(minted.status == 0, "\(minted.output)")
        let parts = minted.output.trimmingCharacters(in: .whitespacesAndNewlines).split(separator: ".")
        var payload = String(parts[1]).replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        payload += String(repeating: "=", count: (4 - payload.count % 4) % 4)
        let decoded = try #require(Data(base64Encoded: payload))
        let claims = try #require(try JSONSerialization.jsonObject(with: decoded) as? [String: Any])
        #expect(claims["amr"] as? [String] == ["pwd", "otp"] && claims["acr"] as? String == "urn:foundry:signing" && claims["name"] as? String == "Rita Reviewer")
        let authTime = try #require(claims["auth_time"] as? Double)
        #expect(abs(Date().timeIntervalSince1970 - 600 - authTime) < 120, "\(authTime)")
    }
}
