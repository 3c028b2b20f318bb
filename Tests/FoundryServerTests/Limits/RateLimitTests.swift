import Foundation
@testable import FoundryServer
import Testing

/// Per-user limits on HTTP requests and changes, against a real server.
/// The buckets refill at a thousandth of a token a second, so no token
/// comes back while a test runs, however slowly it runs.
@Suite("Rate limits")
struct RateLimitTests {
    @Test("A burst of changes past the rate limit gets 429 RATE_LIMITED with Retry-After and changes nothing; reads and other users go on")
    func burstPastTheRateLimit() async throws {
        let server = try await TestServer {
            $0.limits.changesPerSecond = 0.001
            $0.limits.changeBurst = 4
        }
        defer { server.cleanup() }
        try await server.run { api in
            let alice = try await server.token("alice")
            let bob = try await server.token("bob")
            // POST /projects is alice's first change; the socket's join her second.
            try await AccessControlTests.project(api)
            let socket = try await blocking { try RawWebSocket(port: api.port, path: "/ws/project/onco?token=\(alice)&session=alice-tab") }
            try await blocking { #expect(socket.nextMessage("SNAPSHOT") != nil) }
            #expect(try await api.request(.put, "/projects/onco/locks/system_prompt", token: alice).status == .ok)
            #expect(try await api.request(.post, "/projects/onco/drafts", token: alice, json: [
                "base_version": 1, "fields": ["system_prompt": "v2\n"], "keep_locks": true,
            ]).status == .created)

            let before = try snapshot(server.root)
            let audit = FileManager.default.contents(atPath: server.root + "/onco/audit.jsonl")
            let refused = [
                try await api.request(.post, "/projects/onco/drafts", token: alice, json: ["base_version": 2, "fields": ["system_prompt": "v3\n"]]),
                try await api.request(.post, "/projects/onco/comments", token: alice, json: [
                    "version": 2, "field": "system_prompt", "line_start": 1, "line_end": 1, "text": "too fast",
                ]),
                try await api.request(.put, "/projects/onco/members/vic", token: alice, json: ["role": "editor"]),
                try await api.request(.delete, "/projects/onco/locks/system_prompt", token: alice),
            ]
            for reply in refused {
                #expect(reply.status == .tooManyRequests && reply.errorCode == "RATE_LIMITED", "\(reply.status) \(reply.text)")
                let retry = Int(reply.headers[.retryAfter] ?? "") ?? 0
                #expect(retry >= 1, "Retry-After: \(retry)")
                #expect((reply.json["error"] as? [String: Any])?["retry_after"] as? String == String(retry))
            }
            socket.sendText(#"{"type": "LOCK_RELEASE", "field": "system_prompt", "ref": "r1"}"#)
            let error = try await blocking { socket.nextMessage("ERROR") }
            #expect(error?["code"]?.string == "RATE_LIMITED" && (error?["retry_after"]?.int ?? 0) >= 1 && error?["ref"]?.string == "r1")
            let second = try await blocking { try RawWebSocket(port: api.port, path: "/ws/project/onco?token=\(alice)&session=alice-2").nextClose() }
            #expect(second?.code == 1013 && second?.reason.hasPrefix("RATE_LIMITED retry_after=") == true, "\(String(describing: second))")
            #expect(try snapshot(server.root) == before, "a refused change wrote a file")
            #expect(FileManager.default.contents(atPath: server.root + "/onco/audit.jsonl") == audit, "a refused change was audited")

            #expect(try await api.request(.get, "/projects/onco/drafts/current", token: alice).status == .ok, "reads are not limited")
            #expect(try await api.request(.put, "/projects/onco/locks/model_config.json", token: bob).status == .ok, "other users are not limited")
            let metrics = try await api.request(.get, "/metrics", token: nil).text
            #expect(metrics.contains(#"foundry_refusals_total{reason="changes_per_user"} 6"#))
        }
    }

    @Test("A user with too many requests in progress gets 429 TOO_MANY_REQUESTS; other users are served")
    func requestsInProgressPerUser() async throws {
        let server = try await TestServer { $0.limits.maxRequestsPerUser = 2 }
        defer { server.cleanup() }
        try await server.run { api in
            let alice = try await server.token("alice")
            let bob = try await server.token("bob")
            try await WriteLoadTests.create(["busy", "quiet"], api: api, token: alice)
            let port = api.port
            let held = try WriteLoadTests.holdMutexes(of: ["busy"], root: server.root)
            // Three requests of alice's wait for the project's flock: two are let in, whichever
            // comes third is refused at once (the only one answered while the flock is held).
            let (refused, others) = try await blocking { () -> (HTTPReply, [RawHTTP]) in
                let stuck = try (0..<3).map { index in
                    let connection = try RawHTTP(port: port)
                    try connection.send("PUT /projects/busy/locks/field-\(index) HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer \(alice)\r\nContent-Length: 0\r\n\r\n")
                    return connection
                }
                var waiting = stuck.map { pollfd(fd: $0.fd, events: Int16(POLLIN), revents: 0) }
                guard poll(&waiting, 3, 30_000) == 1, let first = waiting.firstIndex(where: { $0.revents & Int16(POLLIN) != 0 }) else {
                    throw HTTPFailure.truncated("not exactly one request was answered while the flock was held")
                }
                defer { stuck[first].close() }
                return (try stuck[first].readResponse(), stuck.enumerated().filter { $0.offset != first }.map(\.element))
            }
            #expect(refused.status == 429 && refused.errorCode == "TOO_MANY_REQUESTS" && refused.headers["retry-after"] == "1")
            #expect(try await api.request(.get, "/projects/quiet", token: bob).status == .forbidden, "bob is answered (he is no member)")
            held.forEach { close($0) }
            let statuses = try await blocking { try others.map { connection in defer { connection.close() }; return try connection.readResponse().status } }
            #expect(statuses == [200, 200])
            #expect(try await api.request(.get, "/projects/quiet", token: alice).status == .ok)
        }
    }
}
