import Foundation
import Testing

/// Floods of bad credentials leave no trace: descriptors and memory return to baseline.
@Suite("Hostile input")
struct HostileInputTests {
    static func openDescriptors() -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []).count
    }

    static func residentMegabytes() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }

    @Test("Thousands of requests and socket upgrades with bad tokens are refused and leak no descriptor")
    func badTokenFlood() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await AccessControlTests.project(api)
            let forged = try await TokenServerless.forge(user: "alice")
            let port = api.port
            // Warm up the paths once so that lazily made buffers and threads are in the baseline.
            _ = try await api.request(.get, "/projects/onco", token: forged)
            _ = try await blocking { try RawWebSocket(port: port, path: "/ws/project/onco?token=\(forged)").readClose() }
            let (descriptors, memory) = (Self.openDescriptors(), Self.residentMegabytes())

            for round in 0..<2000 {
                let token = round % 2 == 0 ? forged : "garbage.\(round).token"
                let response = try await api.request(.get, "/projects/onco", token: token)
                #expect(response.status == .unauthorized)
            }
            let closes = try await blocking {
                try (0..<300).map { _ in try RawWebSocket(port: port, path: "/ws/project/onco?token=\(forged)").readClose()?.code }
            }
            #expect(closes.allSatisfy { $0 == 4401 })

            var after = Self.openDescriptors()
            for _ in 0..<50 where after > descriptors + 4 {  // closing sockets may lag the last reply by a moment
                try await Task.sleep(for: .milliseconds(100))
                after = Self.openDescriptors()
            }
            #expect(after <= descriptors + 4, "descriptors \(descriptors) → \(after)")
            #expect(Self.residentMegabytes() - memory < 64, "resident memory \(memory) MB → \(Self.residentMegabytes()) MB")
            // The server still serves.
            #expect(try await api.request(.get, "/projects/onco", token: try await server.token("alice")).status == .ok)
        }
    }

    @Test("Malformed socket messages are answered with ERROR and the socket stays usable")
    func malformedMessages() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await AccessControlTests.project(api)
            let socket = try await RealtimeTests.socket(api, "bob", session: "bob-tab")
            defer { socket.close() }
            _ = await socket.next("SNAPSHOT")
            for bad in ["not json", "[1,2]", #"{"type": 42}"#, #"{"type": "LOCK_ACQUIRE", "field": "../etc/passwd"}"#, #"{"type": "LOCK_ACQUIRE"}"#] {
                socket.send(bad)
                #expect(await socket.next("ERROR") != nil, "\(bad)")
            }
            socket.send(#"{"type": "LOCK_ACQUIRE", "field": "system_prompt"}"#)
            #expect(await socket.next("LOCK_ACQUIRED") { $0["user"]?.string == "bob" } != nil)
        }
    }
}
