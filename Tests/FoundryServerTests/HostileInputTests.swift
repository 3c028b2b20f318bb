import Foundation
import Testing

/// Floods of bad credentials leave no trace: the server's descriptors and
/// memory return to baseline. Measured on a real `foundry serve` child
/// process (its `/proc/<pid>`), so tests running beside it in this process
/// do not blur the figures.
@Suite("Hostile input")
struct HostileInputTests {
    static func openDescriptors(_ pid: Int32) -> Int {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd")) ?? []).count
    }

    static func residentMegabytes(_ pid: Int32) -> Int {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Int(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }

    @Test("Thousands of requests and socket upgrades with bad tokens are refused and leak no descriptor or memory")
    func badTokenFlood() async throws {
        let root = NSTemporaryDirectory() + "foundry-hostile-" + UUID().uuidString
        defer {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: root + "-logs")
        }
        let alice = try await TestServer().token("alice")
        let forged = try await TokenServerless.forge(user: "alice")
        try await blocking {
            let server = try ServerProcess(root: root)
            defer { server.kill(SIGTERM) }
            let port = server.port
            let created = try BlockingHTTP.request(port: port, "POST", "/projects", token: alice, body: Data(#"{"name": "x", "id": "onco"}"#.utf8))
            #expect(created.status == 201)
            // Warm up the paths once so that lazily made buffers and threads are in the baseline.
            _ = try BlockingHTTP.request(port: port, "GET", "/projects/onco", token: forged)
            _ = try RawWebSocket(port: port, path: "/ws/project/onco?token=\(forged)").readClose()
            let (descriptors, memory) = (Self.openDescriptors(server.pid), Self.residentMegabytes(server.pid))

            for round in 0..<2000 {
                let token = round % 2 == 0 ? forged : "garbage.\(round).token"
                #expect(try BlockingHTTP.request(port: port, "GET", "/projects/onco", token: token).status == 401)
            }
            let closes = try (0..<300).map { _ in try RawWebSocket(port: port, path: "/ws/project/onco?token=\(forged)").readClose()?.code }
            #expect(closes.allSatisfy { $0 == 4401 })

            // Closing sockets may lag the last reply by a moment.
            var after = Self.openDescriptors(server.pid)
            let deadline = Date().addingTimeInterval(failureBound)
            while after > descriptors + 4, Date() < deadline {
                usleep(20_000)
                after = Self.openDescriptors(server.pid)
            }
            #expect(after <= descriptors + 4, "descriptors \(descriptors) → \(after)")
            let grown = Self.residentMegabytes(server.pid) - memory
            #expect(grown < 32, "resident memory \(memory) MB → \(memory + grown) MB")
            // The server still serves.
            #expect(try BlockingHTTP.request(port: port, "GET", "/projects/onco", token: alice).status == 200)
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
