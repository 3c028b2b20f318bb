import Foundation
@testable import FoundryServer
import Testing

/// Connection limits on real connections from several loopback addresses
/// (127.0.0.x are distinct client addresses on Linux).
@Suite("Connection limits")
struct ConnectionLimitTests {
    @Test("A client address past its connection limit is answered 429 TOO_MANY_CONNECTIONS with Retry-After; other addresses are served")
    func perAddressLimit() async throws {
        let server = try await TestServer { $0.limits.maxConnectionsPerAddress = 4 }
        defer { server.cleanup() }
        try await server.run { api in
            let port = api.port
            let (refused, other, again) = try await blocking {
                let held = try (0..<4).map { _ in try RawHTTP(port: port, source: "127.0.0.3") }
                // Each held connection is served, so each is counted.
                for connection in held { #expect(try connection.request("GET", "/health").status == 200) }
                let fifth = try RawHTTP(port: port, source: "127.0.0.3")
                defer { fifth.close() }
                let refused = try fifth.readResponse()
                let other = try RawHTTP(port: port, source: "127.0.0.4")
                defer { other.close() }
                let otherStatus = try other.request("GET", "/health").status
                held[0].close()
                // Once the server has seen the close, the address has room again.
                let again = pollUntil {
                    guard let connection = try? RawHTTP(port: port, source: "127.0.0.3") else { return false }
                    defer { connection.close() }
                    return (try? connection.request("GET", "/health").status) == 200
                }
                held.dropFirst().forEach { $0.close() }
                return (refused, otherStatus, again)
            }
            #expect(refused.status == 429 && refused.errorCode == "TOO_MANY_CONNECTIONS")
            #expect(refused.headers["retry-after"] == "5")
            #expect(refused.headers["connection"] == "close")
            #expect(refused.errorMessage?.contains("127.0.0.3") == true)
            #expect(other == 200)
            #expect(again)
            let metrics = try await api.request(.get, "/metrics", token: nil).text
            #expect(metrics.contains(#"foundry_refusals_total{reason="connections_per_address"}"#))
        }
    }

    @Test("A client opening connections until it is refused never makes the server fail a request for someone else, nor run out of descriptors")
    func connectionsUpToTheDescriptorLimit() async throws {
        let root = NSTemporaryDirectory() + "foundry-descriptors-" + UUID().uuidString
        defer {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: root + "-logs")
        }
        let (alice, bob) = (try await TestServer().token("alice"), try await TestServer().token("bob"))
        let report = try await blocking {
            // 512 descriptors: 256 kept for the store and the watcher, 240 connections served, 16 more refused at once.
            // Timeouts long enough that no connection of the siege ends by them, however slowly it runs.
            let server = try ServerProcess(root: root, lockTTL: 60, arguments: [
                "--max-connections-per-address", "50", "--request-header-timeout", "600", "--keep-alive-timeout", "600",
            ], wrapper: ["/usr/bin/prlimit", "--nofile=512:512", "--"])
            defer { server.kill(SIGTERM) }
            return try DescriptorSiege(server: server, alice: alice, bob: bob).run()
        }
        print("descriptor siege: \(report.perAddress) connections from one address, \(report.admitted) in all before SERVER_BUSY, "
            + "\(report.descriptorsAtPeak) of 512 descriptors open at the peak; bob: \(report.bobStatuses)")
        #expect(report.perAddress == 50, "connections from one address before the first 429")
        #expect((200...240).contains(report.admitted), "connections served before the first 503: \(report.admitted)")
        #expect(report.firstRefusals == ["TOO_MANY_CONNECTIONS", "SERVER_BUSY"])
        #expect(report.bobStatuses == [200, 201, 200], "bob's lock, save and read during the siege")
        #expect(report.bobSawHisSave)
        #expect(report.descriptorsAtPeak <= 512)
        #expect(report.bobAfterwards == 200)
        #expect(report.emfileLines.isEmpty, "the server logged running out of descriptors: \(report.emfileLines)")
        #expect(report.serverErrors.isEmpty, "the server failed requests: \(report.serverErrors)")
        #expect(report.verify.status == 0, "foundry verify: \(report.verify.output)")
    }
}
