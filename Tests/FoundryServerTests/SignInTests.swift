import Foundation
@testable import FoundryServer
import FoundryStore
import HTTPTypes
import Testing

/// How a person signs in to the web workspace: the link `foundry serve`
/// prints, `foundry login-link`, and `GET /me`, which the page checks a
/// token with.
@Suite("Signing in")
struct SignInTests {
    @Test("GET /me names the user, the session the request acts for, and when the token expires; 401 says why not")
    func me() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            let token = try await server.authority.issue(user: "alice", name: "Alice Smith", lifetime: 600)
            let before = Date()
            let me = try await api.request(.get, "/me", token: token, headers: [HTTPField.Name("X-Foundry-Session")!: "web-tab-1"])
            #expect(me.status == .ok)
            #expect(me.json["user"] as? String == "alice" && me.json["name"] as? String == "Alice Smith")
            #expect(me.json["session"] as? String == "web-tab-1")
            let expires = try #require(Timestamp.date(from: me.json["expires_at"] as? String ?? ""))
            #expect(abs(expires.timeIntervalSince(before) - 600) < 5)
            #expect(try await api.request(.get, "/me", token: nil).status == .unauthorized)
            let expired = try await server.authority.issue(user: "alice", lifetime: -60)
            let refused = try await api.request(.get, "/me", token: expired)
            #expect(refused.status == .unauthorized)
            #expect(refused.errorMessage?.contains("the token expired (exp)") == true, "\(refused.text)")
        }
    }

    @Test("foundry login-link prints the server's address with a token of the root's secret in the fragment")
    func loginLink() async throws {
        let root = NSTemporaryDirectory() + "foundry-link-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let printed = try run(foundryExecutable, ["login-link", "--user", "bob", "--name", "Bob", "--url", "http://10.0.0.7:9000", "--root", root])
        #expect(printed.status == 0, "\(printed.output)")
        let line = printed.output.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(line.hasPrefix("http://10.0.0.7:9000/#token="))
        let token = String(line.dropFirst("http://10.0.0.7:9000/#token=".count))
        let secret = try TokenAuthority.secret(for: try Workspace(root: root), environment: [:])
        let claims = try await TokenAuthority(secret: secret).verify(token)
        #expect(claims.sub.value == "bob" && claims.name == "Bob")
        let refused = try run(foundryExecutable, ["login-link", "--user", "bob", "--url", "ftp://x", "--root", root])
        #expect(refused.status != 0 && refused.output.contains("--url must start with http:// or https://"))
    }

    @Test("foundry serve prints a sign-in link with the port it listens on; the token signs in as --login-user")
    func serveLink() async throws {
        let root = NSTemporaryDirectory() + "foundry-serve-link-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: foundryExecutable)
        process.arguments = ["serve", "--root", root, "--port", "0", "--login-user", "carol", "--log-level", "error"]
        process.environment = ProcessInfo.processInfo.environment.merging(["FOUNDRY_JWT_SECRET": TestServer.secret]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        // The first line of stdout, read on a thread of its own (it blocks until the server listens).
        let line = try await blocking { () -> String in
            var bytes = Data()
            while !bytes.contains(UInt8(ascii: "\n")) {
                let chunk = output.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                bytes += chunk
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        let match = try #require(line.firstMatch(of: /Open the web workspace as carol: http:\/\/127\.0\.0\.1:(\d+)\/#token=(\S+)/), "\(line)")
        let port = try #require(Int(match.output.1))
        #expect(port > 0)
        let token = String(match.output.2)
        let claims = try await TokenAuthority(secret: TestServer.secret).verify(token)
        #expect(claims.sub.value == "carol")
        // The server answers on that port with that token.
        let me = try await blocking { () -> String in
            let curl = try run("/usr/bin/curl", ["-sf", "-H", "Authorization: Bearer \(token)", "http://127.0.0.1:\(port)/me"])
            return curl.output
        }
        #expect(me.contains(#""user":"carol""#), "\(me)")
    }
}
