import Foundation
#if canImport(Glibc)
import Glibc
#endif
import Testing

/// The request timeouts on real connections to the built `foundry serve`
/// (a child process, so that no other client's connection is counted), with
/// short configured timeouts. Each test waits for the server to close the
/// connection (a read returning EOF); the times it checks are lower bounds
/// the server cannot beat, never upper bounds a loaded machine might miss.
@Suite("Request timeouts")
struct TimeoutTests {
    /// Runs `body` against a server started with `arguments`, on a root with
    /// project `onco` (alice owner, bob editor); removes the root afterwards.
    static func withServer<T: Sendable>(_ arguments: [String], _ body: @escaping @Sendable (ServerProcess, _ alice: String) throws -> T) async throws -> T {
        let root = NSTemporaryDirectory() + "foundry-limits-" + UUID().uuidString
        defer {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: root + "-logs")
        }
        let alice = try await TestServer().token("alice")
        return try await blocking {
            let server = try ServerProcess(root: root, lockTTL: 60, arguments: arguments)
            defer { server.kill(SIGTERM) }
            let created = try BlockingHTTP.request(port: server.port, "POST", "/projects", token: alice, body: Data(
                #"{"name": "Oncology", "id": "onco", "fields": {"system_prompt": "v1\n"}, "members": {"bob": "editor"}}"#.utf8
            ))
            guard created.status == 201 else { throw HTTPFailure.truncated("project not created: \(created.status) \(created.text)") }
            return try body(server, alice)
        }
    }

    @Test("A request head that never ends is answered 408 and closed after the header timeout; a silent connection is just closed")
    func slowHeaderIsClosed() async throws {
        try await Self.withServer(["--request-header-timeout", "1"]) { server, _ in
            let start = ContinuousClock.now
            let slow = try RawHTTP(port: server.port)
            defer { slow.close() }
            let quiet = try RawHTTP(port: server.port)
            defer { quiet.close() }
            try slow.send("GET /health HTTP/1.1\r\nHost: x\r\n")
            let partial = try #require(slow.readToEnd(), "the slow-header connection was not closed")
            let silent = quiet.readToEnd()
            let took = ContinuousClock.now - start

            let reply = try BlockingHTTP.parse(partial)
            #expect(reply.status == 408 && reply.errorCode == "REQUEST_TIMEOUT")
            #expect(reply.headers["connection"] == "close")
            #expect(silent == Data(), "a connection that sent nothing gets no answer, only the close")
            #expect(took >= .seconds(1))
            #expect(try serverMetric(#"foundry_connection_timeouts_total{phase="header"}"#, port: server.port) == 2)
            #expect(try BlockingHTTP.request(port: server.port, "GET", "/health", token: nil).status == 200)
        }
    }

    @Test("An idle keep-alive connection is closed after the keep-alive timeout; a request being served is not cut off")
    func idleKeepAliveIsClosed() async throws {
        try await Self.withServer(["--keep-alive-timeout", "1", "--request-header-timeout", "1"]) { server, alice in
            // A request that waits three times the timeouts for the project's flock is still answered.
            let held = try WriteLoadTests.holdMutexes(of: ["onco"], root: server.root)
            let waiting = try RawHTTP(port: server.port)
            defer { waiting.close() }
            try waiting.send("PUT /projects/onco/locks/system_prompt HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(alice)\r\nContent-Length: 0\r\n\r\n")
            sleep(3)
            held.forEach { close($0) }
            #expect(try waiting.readResponse().status == 200)

            let connection = try RawHTTP(port: server.port)
            defer { connection.close() }
            let asked = ContinuousClock.now  // the server's idle time starts after this (when its answer is written)
            #expect(try connection.request("GET", "/health").status == 200)
            #expect(connection.readToEnd() == Data(), "the idle connection is closed without a word")
            #expect(ContinuousClock.now - asked >= .seconds(1))
            #expect(waiting.readToEnd() == Data(), "the first connection went idle after its answer, and was closed too")
            #expect(try serverMetric(#"foundry_connection_timeouts_total{phase="idle"}"#, port: server.port) == 2)
            #expect(try serverMetric(#"foundry_connection_timeouts_total{phase="header"}"#, port: server.port) == 0)
        }
    }

    @Test("A request body that stalls is answered 408, the connection closed, and nothing changed")
    func stalledBodyIsRefused() async throws {
        try await Self.withServer(["--request-body-timeout", "1", "--min-body-rate", "1024"]) { server, alice in
            #expect(try BlockingHTTP.request(port: server.port, "PUT", "/projects/onco/locks/system_prompt", token: alice).status == 200)
            let before = try snapshot(server.root)
            let audit = FileManager.default.contents(atPath: server.root + "/onco/audit.jsonl")
            let start = ContinuousClock.now
            let connection = try RawHTTP(port: server.port)
            defer { connection.close() }
            try connection.send("POST /projects/onco/drafts HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(alice)\r\n"
                + "Content-Type: application/json\r\nContent-Length: 5000\r\n\r\n" + #"{"base_version": 1, "fields": {"system_prompt": "#)
            let answer = try #require(connection.readToEnd(), "the stalled connection was not closed")
            let reply = try BlockingHTTP.parse(answer)
            #expect(reply.status == 408 && reply.errorCode == "REQUEST_TIMEOUT")
            #expect(ContinuousClock.now - start >= .seconds(1))
            #expect(try serverMetric(#"foundry_connection_timeouts_total{phase="body"}"#, port: server.port) == 1)
            #expect(try snapshot(server.root) == before)
            #expect(FileManager.default.contents(atPath: server.root + "/onco/audit.jsonl") == audit)
            #expect(!server.log.contains("request failed"), "the cut-off request is not a server error")
        }
    }

    @Test("At shutdown a connection with no request in progress is closed at once, not when its timeout ends")
    func shutdownClosesWaitingConnections() async throws {
        try await Self.withServer(["--request-header-timeout", "600", "--keep-alive-timeout", "600"]) { server, _ in
            let silent = try RawHTTP(port: server.port)
            defer { silent.close() }
            let idle = try RawHTTP(port: server.port)
            defer { idle.close() }
            #expect(try idle.request("GET", "/health").status == 200)
            Glibc.kill(server.pid, SIGTERM)
            #expect(silent.readToEnd() == Data())
            #expect(idle.readToEnd() == Data())
            #expect(pollUntil { !server.isRunning }, "the server did not stop")
        }
    }
}
