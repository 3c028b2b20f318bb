import Foundation
@testable import FoundryServer
import FoundryStore
import Testing

/// Identity from the provider by OpenID Connect discovery, against a real
/// provider on loopback that rotates its keys and goes down.
@Suite("Identity provider by OpenID Connect discovery")
struct IdentityProviderTests {
    static func health(_ api: APIClient) async throws -> [String: Any] {
        try #require(try await api.request(.get, "/health", token: nil).json["identity_provider"] as? [String: Any])
    }

    @Test("Keys come from discovery; a rotated key is fetched on its unknown kid, at most once per interval; a foreign issuer is refused")
    func rotation() async throws {
        let provider = LoopbackIdentityProvider()
        await provider.rotate(to: "k1")
        try await provider.run { issuer in
            let server = try await TestServer { $0.provider = ProviderConfiguration(issuer: issuer, refetchInterval: 3600) }
            defer { server.cleanup() }
            try await server.run { api in
                try await AnnotationTests.project(api)
                let first = try await api.request(.get, "/projects/onco", token: try await provider.token("alice", kid: "k1"))
                #expect(first.status == .ok, "\(first.text)")
                var health = try await Self.health(api)
                #expect(health["state"] as? String == "ok" && health["kids"] as? [String] == ["k1"] && health["issuer"] as? String == issuer)
                #expect(provider.keySetFetches == 1 && health["fetches"] as? Int == 1)

                await provider.rotate(to: "k2")
                let rotated = try await api.request(.get, "/projects/onco", token: try await provider.token("alice", kid: "k2"))
                #expect(rotated.status == .ok, "\(rotated.text)")
                #expect(provider.keySetFetches == 2)
                health = try await Self.health(api)
                #expect(health["kids"] as? [String] == ["k2"])

                // k1 is retired; another unknown kid within the interval is refused without a fetch.
                let retired = try await api.request(.get, "/projects/onco", token: try await provider.token("alice", kid: "k1"))
                #expect(retired.status == .unauthorized && retired.errorMessage?.contains("key 'k1' is not in the identity provider's key set") == true, "\(retired.text)")
                await provider.unpublished("forged")
                #expect(try await api.request(.get, "/projects/onco", token: try await provider.token("alice", kid: "forged")).status == .unauthorized)
                #expect(provider.keySetFetches == 2, "unknown kids are rate-limited")

                let foreign = try await api.request(.get, "/projects/onco", token: try await provider.token("alice", kid: "k2", issuer: "https://elsewhere.example"))
                #expect(foreign.status == .unauthorized && foreign.errorMessage?.contains("is not the identity provider") == true, "\(foreign.text)")
                // The server's own HS256 tokens still work beside the provider.
                #expect(try await api.request(.get, "/projects/onco", token: try await server.token("bob")).status == .ok)
                // A provider's token signs like any other: it carries auth_time and amr.
                let signed = try await api.request(.post, "/projects/onco/signatures", token: try await provider.token("rita", kid: "k2"), json: ["version": 1, "meaning": "reviewed"])
                #expect(signed.status == .created && (signed.json["authentication"] as? [String: Any])?["issuer"] as? String == issuer, "\(signed.text)")
            }
        }
    }

    @Test("An expired key set is refetched; while the provider is down the last good set serves and /health says stale")
    func expiryAndOutage() async throws {
        let provider = LoopbackIdentityProvider()
        await provider.rotate(to: "k1")
        provider.set(cacheControl: "public, max-age=0")
        try await provider.run { issuer in
            let server = try await TestServer { $0.provider = ProviderConfiguration(issuer: issuer, refetchInterval: 0) }
            defer { server.cleanup() }
            try await server.run { api in
                try await AnnotationTests.project(api)
                let token = try await provider.token("alice", kid: "k1")
                #expect(try await api.request(.get, "/projects/onco", token: token).status == .ok)
                let fetched = provider.keySetFetches
                #expect(try await api.request(.get, "/projects/onco", token: token).status == .ok)
                #expect(provider.keySetFetches == fetched + 1, "max-age=0: the set is fetched again")

                provider.set(down: true)
                let during = try await api.request(.get, "/projects/onco", token: token)
                #expect(during.status == .ok, "the last good key set keeps serving: \(during.text)")
                var health = try await Self.health(api)
                #expect(health["state"] as? String == "stale" && (health["last_error"] as? String)?.contains("503") == true, "\(health)")
                #expect(try await api.request(.get, "/health", token: nil).status == .ok, "a provider outage does not make the server unhealthy")

                provider.set(down: false)
                #expect(try await api.request(.get, "/projects/onco", token: token).status == .ok)
                health = try await Self.health(api)
                #expect(health["state"] as? String == "ok" && health["last_error"] == nil, "\(health)")
            }
        }
    }

    @Test("A provider that never answered: its tokens are refused naming why, /health says unreachable, local tokens work")
    func unreachable() async throws {
        // A port bound and held without listen(): connecting is refused, and no other test can take it.
        let reserved = try ReservedPort()
        defer { reserved.release() }
        let closed = reserved.port
        let server = try await TestServer { $0.provider = ProviderConfiguration(issuer: "http://127.0.0.1:\(closed)", refetchInterval: 0, timeout: 2) }
        defer { server.cleanup() }
        let provider = LoopbackIdentityProvider()
        await provider.rotate(to: "k1")
        try await server.run { api in
            try await AnnotationTests.project(api)
            let refused = try await api.request(.get, "/projects/onco", token: try await provider.token("alice", kid: "k1", issuer: "http://127.0.0.1:\(closed)"))
            #expect(refused.status == .unauthorized && refused.errorMessage?.contains("could not be fetched") == true, "\(refused.text)")
            let health = try await Self.health(api)
            #expect(health["state"] as? String == "unreachable" && health["last_error"] != nil, "\(health)")
            #expect(try await api.request(.get, "/projects/onco", token: try await server.token("alice")).status == .ok)
        }
    }
}

/// A loopback TCP port bound but not listening, held until `release()`.
struct ReservedPort {
    let fd: Int32
    let port: Int

    init() throws {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard fd >= 0, bound == 0, named == 0 else { throw HTTPFailure.connect(errno: errno) }
        self.fd = fd
        port = Int(UInt16(bigEndian: address.sin_port))
    }

    func release() { close(fd) }
}
