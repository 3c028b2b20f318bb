import Foundation
@testable import FoundryWatch
import HTTPTypes
import Testing

/// Comments, tasks and the scratchpad against a real server, with real
/// WebSocket clients watching the broadcasts the watcher makes of the files.
@Suite("Annotations over HTTP and WebSocket")
struct AnnotationTests {
    static let prompt = (1...10).map { "line \($0)\n" }.joined()
    static let session: HTTPField.Name = .init("X-Foundry-Session")!

    /// `onco` at version 1 (a ten-line system prompt), owned by alice, with bob editor, rita reviewer, vic viewer.
    static func project(_ api: APIClient) async throws {
        let alice = try await api.server.token("alice")
        let created = try await api.request(.post, "/projects", token: alice, json: [
            "name": "Oncology", "id": "onco", "fields": ["system_prompt": prompt, "model_config.json": "{}\n"],
            "members": ["bob": "editor", "rita": "reviewer", "vic": "viewer"],
        ])
        #expect(created.status == .created)
    }

    static func socket(_ api: APIClient, _ user: String) async throws -> TestSocket {
        let socket = TestSocket(port: api.port, path: "/ws/project/onco?token=\(try await api.server.token(user))&session=\(user)-ws")
        _ = await socket.next("SNAPSHOT")
        return socket
    }

    static func comment(_ api: APIClient, as user: String = "rita", lines: (Int, Int) = (4, 6), text: String = "why?") async throws -> APIResponse {
        try await api.request(.post, "/projects/onco/comments", token: try await api.server.token(user), json: [
            "version": 1, "field": "system_prompt", "line_start": lines.0, "line_end": lines.1, "text": text,
        ])
    }

    @Test("Two sockets see COMMENT_CREATED, _REPLIED, _RESOLVED, TASK_UPDATED and SCRATCHPAD_UPDATED with increasing seq")
    func broadcasts() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.project(api)
            let a = try await Self.socket(api, "alice")
            let v = try await Self.socket(api, "vic")
            defer { a.close(); v.close() }
            let (alice, bob, rita) = (try await server.token("alice"), try await server.token("bob"), try await server.token("rita"))

            let created = try await Self.comment(api)
            #expect(created.status == .created, "\(created.text)")
            #expect(created.json["id"] as? String == "c-1")
            #expect((created.json["current"] as? [String: Any])?["line_start"] as? Int == 4)
            #expect(try await api.request(.post, "/projects/onco/comments/c-1/replies", token: alice, json: ["text": "see the protocol"]).status == .created)
            #expect(try await api.request(.post, "/projects/onco/comments/c-1/resolve", token: rita).status == .ok)
            let task = try await api.request(.post, "/projects/onco/tasks", token: rita, json: ["title": "Fix JSON schema", "assignee": "bob"])
            #expect(task.status == .created, "\(task.text)")
            #expect(try await api.request(.patch, "/projects/onco/tasks/t-1", token: bob, json: ["done": true]).status == .ok)
            #expect(try await api.request(.put, "/projects/onco/locks/scratchpad", token: bob).status == .ok)
            let notes = try await api.request(.put, "/projects/onco/scratchpad", token: bob, json: ["base_version": 1, "text": "try temperature 0\n"])
            #expect(notes.status == .created, "\(notes.text)")

            for socket in [a, v] {
                let c = try #require(await socket.next("COMMENT_CREATED"))
                #expect(c["id"]?.string == "c-1")
                #expect(c["author_id"]?.string == "rita")
                #expect(c["anchor"]?["line_end"]?.int == 6)
                #expect(c["current"]?["version"]?.int == 1)
                #expect(c["text"]?.string == "why?")
                let r = try #require(await socket.next("COMMENT_REPLIED"))
                #expect(r["comment_id"]?.string == "c-1")
                #expect(r["reply"]?["text"]?.string == "see the protocol")
                let s = try #require(await socket.next("COMMENT_RESOLVED"))
                #expect(s["author_id"]?.string == "rita")
                let t1 = try #require(await socket.next("TASK_UPDATED"))
                #expect(t1["event"]?.string == "created")
                #expect(t1["task"]?["assignee"]?.string == "bob")
                let t2 = try #require(await socket.next("TASK_UPDATED"))
                #expect(t2["event"]?.string == "done")
                #expect(t2["task"]?["done"] == .bool(true))
                let saved = try #require(await socket.next("DRAFT_SAVED"))
                let pad = try #require(await socket.next("SCRATCHPAD_UPDATED"))
                #expect(pad["version"]?.int == 2)
                #expect(pad["author_id"]?.string == "bob")
                #expect(pad["draft_id"] == saved["draft_id"])
                let seqs = [c, r, s, t1, t2, saved, pad].map { $0.seq! }
                #expect(seqs == seqs.sorted() && Set(seqs).count == seqs.count, "\(seqs)")
            }
            #expect(a.frames.filter { $0.type.hasPrefix("COMMENT_") || $0.type == "TASK_UPDATED" }.map(\.seq)
                == v.frames.filter { $0.type.hasPrefix("COMMENT_") || $0.type == "TASK_UPDATED" }.map(\.seq))

            let late = try await Self.socket(api, "rita")
            defer { late.close() }
            let snapshot = try #require(late.frames.first { $0.type == "SNAPSHOT" })
            #expect(snapshot["comments_seq"]?.int == 3)
            #expect(snapshot["tasks_seq"]?.int == 2)

            let pad = try await api.request(.get, "/projects/onco/scratchpad", token: rita).json
            #expect(pad["text"] as? String == "try temperature 0\n")
            #expect(pad["updated_in"] as? Int == 2)
            #expect(pad["author_id"] as? String == "bob")
            #expect(try await api.request(.get, "/projects/onco/scratchpad?version=1", token: rita).json["text"] as? String == "")
            let diff = try await api.request(.get, "/projects/onco/diff?from=1&to=2", token: rita).text
            #expect(diff.contains("+++ b/scratchpad"))

            let audit = try await api.request(.get, "/projects/onco/audit?type=comment", token: alice).json["entries"] as? [[String: Any]] ?? []
            #expect(audit.map { $0["type"] as? String } == ["comment.created", "comment.replied", "comment.resolved"])
            let first = try #require(audit.first?["data"] as? [String: Any])
            #expect(first["file"] as? String == "comments/000001.json")
            let sum = try run("/usr/bin/sha256sum", [server.root + "/onco/comments/000001.json"]).output
            #expect(sum.hasPrefix(first["sha256"] as? String ?? "-"))
        }
    }

    @Test("Records written by another process are broadcast, a gap is filled when its record appears, nothing twice")
    func handWrittenRecords() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.project(api)
            let socket = try await Self.socket(api, "alice")
            defer { socket.close() }
            #expect(try await Self.comment(api).status == .created)
            _ = try #require(await socket.next("COMMENT_CREATED"))

            func write(_ sequence: Int, _ event: String, text: String? = nil) throws {
                var record: [String: Any] = [
                    "format": "foundry.comment/1", "project_id": "onco", "sequence": sequence, "comment_id": "c-1", "event": event,
                    "author_id": "carl", "session_id": "cli", "created_at": "2026-11-25T10:00:00.000Z",
                ]
                if let text { record["text"] = text }
                let directory = server.root + "/onco/comments/"
                let temp = directory + ".tmp-by-hand-\(sequence)"
                try JSONSerialization.data(withJSONObject: record, options: [.sortedKeys]).write(to: URL(fileURLWithPath: temp))
                #expect(rename(temp, directory + String(format: "%06d.json", sequence)) == 0)
            }
            try write(3, "replied", text: "from another process")
            let reply = try #require(await socket.next("COMMENT_REPLIED"))
            #expect(reply["reply"]?["id"]?.string == "r-3")
            #expect(reply["author_id"]?.string == "carl")
            try write(2, "resolved")
            let resolved = try #require(await socket.next("COMMENT_RESOLVED"))
            #expect(resolved["record_seq"]?.int == 2)
            #expect(resolved.seq! > reply.seq!)

            // Record 4 is created empty and filled later (no atomic rename): unreadable when the
            // watcher reports it, it is announced when the next record's event fills the gap.
            let fourth = server.root + "/onco/comments/000004.json"
            #expect(FileManager.default.createFile(atPath: fourth, contents: nil))
            try await watcherBarrier(api, socket)
            #expect(!socket.frames.contains { $0.type == "COMMENT_REOPENED" })
            let handle = try #require(FileHandle(forWritingAtPath: fourth))
            try handle.write(contentsOf: Data(#"{"author_id": "carl", "comment_id": "c-1", "created_at": "2026-11-25T10:01:00.000Z", "event": "reopened", "format": "foundry.comment/1", "project_id": "onco", "sequence": 4, "session_id": "cli"}"#.utf8))
            try handle.close()
            let rita = try await server.token("rita")
            #expect(try await api.request(.post, "/projects/onco/comments/c-1/replies", token: rita, json: ["text": "over HTTP"]).status == .created)
            let reopened = try #require(await socket.next("COMMENT_REOPENED"))
            #expect(reopened["record_seq"]?.int == 4)
            let fifth = try #require(await socket.next("COMMENT_REPLIED"))
            #expect(fifth["record_seq"]?.int == 5)
            #expect(fifth.seq! > reopened.seq!)
            try await watcherBarrier(api, socket)
            let counts = Dictionary(grouping: socket.frames.filter { $0.type.hasPrefix("COMMENT_") }, by: \.type).mapValues(\.count)
            #expect(counts == ["COMMENT_CREATED": 1, "COMMENT_REPLIED": 2, "COMMENT_RESOLVED": 1, "COMMENT_REOPENED": 1])

            let thread = try await api.request(.get, "/projects/onco/comments/c-1", token: rita).json
            #expect(thread["state"] as? String == "open")
            #expect((thread["replies"] as? [[String: Any]])?.map { $0["author_id"] as? String } == ["carl", "rita"])
            #expect((thread["events"] as? [[String: Any]])?.count == 5)
        }
    }

    @Test("Anchors follow their lines over HTTP: shifted by an insert above, outdated by an edit inside; list filters")
    func anchorsOverHTTP() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.project(api)
            let bob = try await server.token("bob")
            #expect(try await Self.comment(api, lines: (4, 6)).status == .created)
            #expect(try await Self.comment(api, lines: (9, 10), text: "ending").status == .created)
            _ = try await api.request(.put, "/projects/onco/locks/system_prompt", token: bob)
            let edited = "new first line\n" + Self.prompt.replacingOccurrences(of: "line 9\n", with: "line nine\n")
            #expect(try await api.request(.post, "/projects/onco/drafts", token: bob, json: ["base_version": 1, "fields": ["system_prompt": edited]]).status == .created)

            let list = try await api.request(.get, "/projects/onco/comments", token: bob).json
            #expect(list["version"] as? Int == 2)
            let comments = list["comments"] as? [[String: Any]] ?? []
            #expect(comments.map { $0["id"] as? String } == ["c-1", "c-2"])
            #expect((comments[0]["current"] as? [String: Any])?["line_start"] as? Int == 5)
            #expect((comments[0]["current"] as? [String: Any])?["line_end"] as? Int == 7)
            #expect(comments[1]["outdated_in"] as? Int == 2)
            #expect(comments[1]["status"] as? String == "outdated")

            let outdated = try await api.request(.get, "/projects/onco/comments?state=outdated", token: bob).json["comments"] as? [[String: Any]]
            #expect(outdated?.map { $0["id"] as? String } == ["c-2"])
            let open = try await api.request(.get, "/projects/onco/comments?state=open&field=system_prompt", token: bob).json["comments"] as? [[String: Any]]
            #expect(open?.map { $0["id"] as? String } == ["c-1"])
            let atOne = try await api.request(.get, "/projects/onco/comments?version=1", token: bob).json["comments"] as? [[String: Any]]
            #expect((atOne?[1]["current"] as? [String: Any])?["line_start"] as? Int == 9)
            let none = try await api.request(.get, "/projects/onco/comments?field=model_config.json", token: bob).json["comments"] as? [[String: Any]]
            #expect(none?.isEmpty == true)
        }
    }

    /// Each refusal: status, code, and a workspace unchanged byte for byte.
    struct Case: Sendable, CustomStringConvertible {
        var description: String
        var method: HTTPRequest.Method
        var uri: String
        var body: String?
        var status: Int
        var code: String
    }

    static let badCases: [Case] = [
        Case(description: "comment on an unknown version", method: .post, uri: "/projects/onco/comments", body: #"{"version": 9, "field": "system_prompt", "line_start": 1, "line_end": 1, "text": "x"}"#, status: 404, code: "VERSION_NOT_FOUND"),
        Case(description: "comment on an unknown field", method: .post, uri: "/projects/onco/comments", body: #"{"version": 1, "field": "nope.txt", "line_start": 1, "line_end": 1, "text": "x"}"#, status: 404, code: "FIELD_NOT_FOUND"),
        Case(description: "comment past the last line", method: .post, uri: "/projects/onco/comments", body: #"{"version": 1, "field": "system_prompt", "line_start": 10, "line_end": 11, "text": "x"}"#, status: 422, code: "INVALID_RANGE"),
        Case(description: "comment with start after end", method: .post, uri: "/projects/onco/comments", body: #"{"version": 1, "field": "system_prompt", "line_start": 3, "line_end": 2, "text": "x"}"#, status: 422, code: "INVALID_RANGE"),
        Case(description: "comment on line 0", method: .post, uri: "/projects/onco/comments", body: #"{"version": 1, "field": "system_prompt", "line_start": 0, "line_end": 2, "text": "x"}"#, status: 422, code: "INVALID_RANGE"),
        Case(description: "comment with a blank text", method: .post, uri: "/projects/onco/comments", body: #"{"version": 1, "field": "system_prompt", "line_start": 1, "line_end": 1, "text": "  "}"#, status: 400, code: "INVALID_ARGUMENT"),
        Case(description: "comment without lines", method: .post, uri: "/projects/onco/comments", body: #"{"version": 1, "field": "system_prompt", "text": "x"}"#, status: 400, code: "INVALID_JSON"),
        Case(description: "comment on a traversal field name", method: .post, uri: "/projects/onco/comments", body: #"{"version": 1, "field": "../project.json", "line_start": 1, "line_end": 1, "text": "x"}"#, status: 400, code: "INVALID_FIELD_NAME"),
        Case(description: "reply to an unknown comment", method: .post, uri: "/projects/onco/comments/c-99/replies", body: #"{"text": "x"}"#, status: 404, code: "COMMENT_NOT_FOUND"),
        Case(description: "resolve an unknown comment", method: .post, uri: "/projects/onco/comments/nope/resolve", status: 404, code: "COMMENT_NOT_FOUND"),
        Case(description: "resolve a resolved comment", method: .post, uri: "/projects/onco/comments/c-1/resolve", status: 409, code: "CONFLICT"),
        Case(description: "read an unknown comment", method: .get, uri: "/projects/onco/comments/c-2", status: 404, code: "COMMENT_NOT_FOUND"),
        Case(description: "list with an unknown state", method: .get, uri: "/projects/onco/comments?state=maybe", status: 400, code: "INVALID_QUERY"),
        Case(description: "list at an unknown version", method: .get, uri: "/projects/onco/comments?version=7", status: 404, code: "VERSION_NOT_FOUND"),
        Case(description: "task update of an unknown id", method: .patch, uri: "/projects/onco/tasks/t-99", body: #"{"done": true}"#, status: 404, code: "TASK_NOT_FOUND"),
        Case(description: "task delete of an unknown id", method: .delete, uri: "/projects/onco/tasks/t-99", status: 404, code: "TASK_NOT_FOUND"),
        Case(description: "task update of a deleted task", method: .patch, uri: "/projects/onco/tasks/t-2", body: #"{"done": true}"#, status: 410, code: "TASK_DELETED"),
        Case(description: "task with a blank title", method: .post, uri: "/projects/onco/tasks", body: #"{"title": ""}"#, status: 400, code: "INVALID_ARGUMENT"),
        Case(description: "task assigned to a non-member", method: .post, uri: "/projects/onco/tasks", body: #"{"title": "x", "assignee": "zed"}"#, status: 400, code: "INVALID_ARGUMENT"),
        Case(description: "task linked to an unknown field", method: .post, uri: "/projects/onco/tasks", body: #"{"title": "x", "link": {"field": "nope"}}"#, status: 404, code: "FIELD_NOT_FOUND"),
        Case(description: "task linked past the last line", method: .patch, uri: "/projects/onco/tasks/t-1", body: #"{"link": {"field": "system_prompt", "line_start": 11}}"#, status: 422, code: "INVALID_RANGE"),
        Case(description: "task update with a wrong type", method: .patch, uri: "/projects/onco/tasks/t-1", body: #"{"done": "yes"}"#, status: 400, code: "INVALID_JSON"),
        Case(description: "scratchpad save without its lock", method: .put, uri: "/projects/onco/scratchpad", body: #"{"base_version": 1, "text": "x"}"#, status: 423, code: "LOCK_NOT_HELD"),
        Case(description: "scratchpad at an unknown version", method: .get, uri: "/projects/onco/scratchpad?version=5", status: 404, code: "VERSION_NOT_FOUND"),
    ]

    @Test("Bad input gets its status and code and changes no file")
    func badInput() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.project(api)
            let alice = try await server.token("alice")
            #expect(try await Self.comment(api).status == .created)
            #expect(try await api.request(.post, "/projects/onco/comments/c-1/resolve", token: alice).status == .ok)
            #expect(try await api.request(.post, "/projects/onco/tasks", token: alice, json: ["title": "live"]).status == .created)
            #expect(try await api.request(.post, "/projects/onco/tasks", token: alice, json: ["title": "gone"]).status == .created)
            #expect(try await api.request(.delete, "/projects/onco/tasks/t-2", token: alice).status == .ok)
            let rangeError = try await Self.comment(api, lines: (10, 12))
            #expect(rangeError.json["error"].flatMap { ($0 as? [String: Any])?["line_count"] as? String } == "10")
            for bad in Self.badCases {
                let before = try snapshot(server.root)
                let response = try await api.request(bad.method, bad.uri, token: alice, body: bad.body.map { Data($0.utf8) })
                #expect(Int(response.status.code) == bad.status, "\(bad): \(response.text)")
                #expect(response.errorCode == bad.code, "\(bad): \(response.text)")
                #expect(response.errorMessage?.isEmpty == false)
                #expect(try snapshot(server.root) == before, "\(bad) changed the workspace")
            }
        }
    }

    @Test("Reviewers comment and manage tasks but may not write the scratchpad; viewers read only (403)")
    func roles() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.project(api)
            let (rita, vic) = (try await server.token("rita"), try await server.token("vic"))
            #expect(try await Self.comment(api, as: "rita").status == .created)
            #expect(try await api.request(.post, "/projects/onco/tasks", token: rita, json: ["title": "t"]).status == .created)
            #expect(try await api.request(.patch, "/projects/onco/tasks/t-1", token: rita, json: ["title": "renamed"]).status == .ok)
            let padByReviewer = try await api.request(.put, "/projects/onco/scratchpad", token: rita, json: ["base_version": 1, "text": "x"])
            #expect(padByReviewer.status == .forbidden)
            #expect(try await api.request(.put, "/projects/onco/locks/scratchpad", token: rita).status == .forbidden)

            let before = try snapshot(server.root)
            let writes: [(HTTPRequest.Method, String, [String: Any]?)] = [
                (.post, "/projects/onco/comments", ["version": 1, "field": "system_prompt", "line_start": 1, "line_end": 1, "text": "x"]),
                (.post, "/projects/onco/comments/c-1/replies", ["text": "x"]),
                (.post, "/projects/onco/comments/c-1/resolve", nil),
                (.post, "/projects/onco/comments/c-1/reopen", nil),
                (.post, "/projects/onco/tasks", ["title": "x"]),
                (.patch, "/projects/onco/tasks/t-1", ["done": true]),
                (.delete, "/projects/onco/tasks/t-1", nil),
                (.put, "/projects/onco/scratchpad", ["base_version": 1, "text": "x"]),
            ]
            for (method, uri, body) in writes {
                let response = body == nil ? try await api.request(method, uri, token: vic) : try await api.request(method, uri, token: vic, json: body!)
                #expect(response.status == .forbidden, "\(method) \(uri): \(response.text)")
                #expect(response.errorMessage?.contains("'vic' is a viewer") == true)
            }
            #expect(try snapshot(server.root) == before)
            for uri in ["/projects/onco/comments", "/projects/onco/comments/c-1", "/projects/onco/tasks", "/projects/onco/tasks/t-1", "/projects/onco/scratchpad"] {
                #expect(try await api.request(.get, uri, token: vic).status == .ok, "\(uri)")
            }
            let history = try await api.request(.get, "/projects/onco/tasks/t-1", token: vic).json["history"] as? [[String: Any]]
            #expect(history?.map { $0["event"] as? String } == ["created", "updated"])
        }
    }

    @Test("A frozen project answers 423 PROJECT_FROZEN to every annotation write and changes nothing")
    func frozen() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await Self.project(api)
            let alice = try await server.token("alice")
            #expect(try await Self.comment(api).status == .created)
            #expect(try await api.request(.post, "/projects/onco/tasks", token: alice, json: ["title": "t"]).status == .created)
            let manifest = server.root + "/onco/project.json"
            var json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: manifest))) as? [String: Any])
            json["state"] = "frozen"
            try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys, .prettyPrinted]).write(to: URL(fileURLWithPath: manifest + ".new"))
            #expect(rename(manifest + ".new", manifest) == 0)

            let before = try snapshot(server.root)
            let writes: [(HTTPRequest.Method, String, [String: Any]?)] = [
                (.post, "/projects/onco/comments", ["version": 1, "field": "system_prompt", "line_start": 1, "line_end": 1, "text": "x"]),
                (.post, "/projects/onco/comments/c-1/replies", ["text": "x"]),
                (.post, "/projects/onco/comments/c-1/resolve", nil),
                (.post, "/projects/onco/tasks", ["title": "x"]),
                (.patch, "/projects/onco/tasks/t-1", ["done": true]),
                (.delete, "/projects/onco/tasks/t-1", nil),
            ]
            for (method, uri, body) in writes {
                let response = body == nil ? try await api.request(method, uri, token: alice) : try await api.request(method, uri, token: alice, json: body!)
                #expect(response.status.code == 423, "\(method) \(uri): \(response.text)")
                #expect(response.errorCode == "PROJECT_FROZEN")
            }
            #expect(try snapshot(server.root) == before)
            #expect(try await api.request(.get, "/projects/onco/comments", token: alice).status == .ok)
        }
    }

    @Test("After a real inotify overflow the annotation records written meanwhile are announced once, and RESYNC carries their sequences")
    func overflow() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try FileManager.default.createDirectory(atPath: server.root, withIntermediateDirectories: true)
        let watcher = try WorkspaceWatcher(root: server.root)
        try await server.run(watcher: watcher) { api in
            try await Self.project(api)
            let socket = try await Self.socket(api, "bob")
            defer { socket.close() }
            // The comment's event waits in the kernel queue; the queue then
            // overflows, so the task's event is lost: the rescan announces it.
            await watcher.pause()
            let alice = try await server.token("alice")
            #expect(try await Self.comment(api).status == .created)
            let locks = server.root + "/onco/locks"
            try await blocking { try watcher.overflowQueue(in: locks) }
            #expect(try await api.request(.post, "/projects/onco/tasks", token: alice, json: ["title": "during the storm"]).status == .created)
            watcher.resume()
            let resync = try #require(await socket.next("RESYNC"))
            #expect(resync["comments_seq"]?.int == 1)
            #expect(resync["tasks_seq"]?.int == 1)
            #expect(try await api.request(.post, "/projects/onco/comments/c-1/replies", token: alice, json: ["text": "after"]).status == .created)
            _ = try #require(await socket.next("COMMENT_REPLIED"))
            #expect(socket.frames.filter { $0.type == "COMMENT_CREATED" }.count == 1)
            #expect(socket.frames.filter { $0.type == "TASK_UPDATED" }.count == 1)
            for type in ["COMMENT_CREATED", "TASK_UPDATED"] {
                #expect((socket.frames.first { $0.type == type }?.seq ?? .max) < resync.seq ?? 0, "\(type) after RESYNC")
            }
        }
    }
}
