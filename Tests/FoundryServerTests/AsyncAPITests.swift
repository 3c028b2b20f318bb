import Foundation
@testable import FoundryServer
import HTTPTypes
import Testing
import Yams

/// The AsyncAPI document and the socket must describe the same messages:
/// every event type the server can send (`EventType`) and every message a
/// client may send (`ClientMessage.Kind`) is in the document, nothing else
/// is, and the frames of a live session conform to the schemas it gives.
@Suite("AsyncAPI description")
struct AsyncAPITests {
    static var documentPath: String {
        URL(fileURLWithPath: OpenAPITests.documentPath).deletingLastPathComponent().appendingPathComponent("asyncapi.yaml").path
    }

    static func document() throws -> [String: Any] {
        try #require(try Yams.load(yaml: String(contentsOfFile: documentPath, encoding: .utf8)) as? [String: Any])
    }

    /// The names of the messages an operation with `action` lists (`send`: the server's events; `receive`: the client's).
    static func messages(_ document: [String: Any], action: String) -> Set<String> {
        let operations = document["operations"] as? [String: [String: Any]] ?? [:]
        let references = operations.values.filter { $0["action"] as? String == action }
            .flatMap { $0["messages"] as? [[String: Any]] ?? [] }.compactMap { $0["$ref"] as? String }
        return Set(references.compactMap { $0.split(separator: "/").last.map(String.init) })
    }

    /// The payload schema of message `name`.
    static func payload(_ document: [String: Any], _ name: String) -> [String: Any]? {
        ((document["components"] as? [String: Any])?["messages"] as? [String: [String: Any]])?[name]?["payload"] as? [String: Any]
    }

    @Test("GET /asyncapi.yaml needs no token and serves the AsyncAPI 3.0 document of the socket, byte for byte")
    func served() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            let response = try await api.request(.get, "/asyncapi.yaml", token: nil)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/yaml") == true)
            #expect(response.body == (try Data(contentsOf: URL(fileURLWithPath: Self.documentPath))))
            let document = try #require(try Yams.load(yaml: response.text) as? [String: Any])
            #expect(document["asyncapi"] as? String == "3.0.0")
            let channels = try #require(document["channels"] as? [String: [String: Any]])
            #expect(channels.values.contains { $0["address"] as? String == "/ws/project/{id}" })
        }
    }

    @Test("Every event type the server sends and every client message it reads is described, with its data schema, and nothing else")
    func describesEveryMessage() throws {
        let document = try Self.document()
        let sent = Self.messages(document, action: "send")
        let read = Self.messages(document, action: "receive")
        let events = Set(EventType.allCases.map(\.rawValue))
        let clientMessages = Set(ClientMessage.Kind.allCases.map(\.rawValue))
        for missing in events.subtracting(sent).sorted() {
            Issue.record("\(missing) is an event type of the server (EventType) but asyncapi.yaml does not describe it: add it to components/messages, channels/project/messages and operations/sendEvents")
        }
        for extra in sent.subtracting(events).sorted() {
            Issue.record("asyncapi.yaml describes \(extra) as sent by the server, but EventType has no such case")
        }
        for missing in clientMessages.subtracting(read).sorted() {
            Issue.record("\(missing) is a client message (ClientMessage.Kind) but asyncapi.yaml does not describe it under operations/receiveClientMessages")
        }
        for extra in read.subtracting(clientMessages).sorted() {
            Issue.record("asyncapi.yaml describes \(extra) as a client message, but ClientMessage.Kind has no such case")
        }

        let components = try #require((document["components"] as? [String: Any])?["messages"] as? [String: [String: Any]])
        let channel = try #require((document["channels"] as? [String: [String: Any]])?["project"]?["messages"] as? [String: Any])
        #expect(Set(components.keys) == sent.union(read), "components/messages: \(Set(components.keys).symmetricDifference(sent.union(read)).sorted())")
        #expect(Set(channel.keys) == sent.union(read), "channels/project/messages: \(Set(channel.keys).symmetricDifference(sent.union(read)).sorted())")
        let check = SchemaCheck(document: document)
        for (name, message) in components.sorted(by: { $0.key < $1.key }) {
            #expect(message["name"] as? String == name, "\(name): its name is \(message["name"] ?? "missing")")
            let payload = try #require(Self.payload(document, name), "\(name) has no payload")
            // Its payload admits its own type and no other.
            #expect(check.problems(.string(name), Self.typeSchema(payload, check)).isEmpty, "\(name): the payload's type is not \(name)")
            #expect(!check.problems(.string(name + "_X"), Self.typeSchema(payload, check)).isEmpty, "\(name): the payload admits any type")
            if sent.contains(name) {
                #expect(Self.dataSchema(payload, check) != nil, "\(name) has no schema for its data")
            }
        }
    }

    /// The schemas the payload's `type` property must satisfy, as one `allOf`.
    static func typeSchema(_ payload: [String: Any], _ check: SchemaCheck) -> [String: Any] {
        ["allOf": Self.parts(payload, check).compactMap { ($0["properties"] as? [String: Any])?["type"] }]
    }

    /// The message's own schema of `data` (not the frame's `{type: object}`).
    static func dataSchema(_ payload: [String: Any], _ check: SchemaCheck) -> [String: Any]? {
        Self.parts(payload, check).filter { $0["required"] == nil }.compactMap { ($0["properties"] as? [String: Any])?["data"] as? [String: Any] }.first
    }

    /// The payload and its `allOf` parts, references resolved.
    static func parts(_ schema: [String: Any], _ check: SchemaCheck) -> [[String: Any]] {
        let resolved = (schema["$ref"] as? String).flatMap(check.resolve) ?? schema
        return [resolved] + (resolved["allOf"] as? [[String: Any]] ?? []).flatMap { parts($0, check) }
    }

    @Test("Every frame of a live session (each event type, replies, backlog, RESYNC) conforms to its message in the document")
    func liveFramesConform() async throws {
        let server = try await TestServer { $0.runner = "echo hello; echo oops >&2" }
        defer { server.cleanup() }
        try await server.run { api in
            try await RunFixture.project(api)
            let session = try await LiveSession(api)
            defer { session.close() }
            let frames = try await session.play()

            let document = try Self.document()
            let check = SchemaCheck(document: document)
            for (socket, frame) in frames {
                guard let payload = Self.payload(document, frame.type) else {
                    Issue.record("\(socket) got \(frame.type), which asyncapi.yaml does not describe")
                    continue
                }
                let problems = check.problems(frame.json, payload)
                #expect(problems.isEmpty, "\(socket), \(frame.type) #\(frame.seq.map(String.init) ?? "-"): \(problems.joined(separator: "; "))")
            }
            let seen = Set(frames.map(\.frame.type))
            let expected: Set<String> = [
                "SNAPSHOT", "RESYNC", "USER_JOINED", "USER_LEFT", "LOCK_ACQUIRED", "LOCK_RELEASED", "LOCK_DENIED", "LOCK_REFRESHED",
                "DRAFT_SAVED", "PROJECT_FROZEN", "COMMENT_CREATED", "COMMENT_REPLIED", "COMMENT_RESOLVED", "COMMENT_REOPENED",
                "TASK_UPDATED", "SCRATCHPAD_UPDATED", "RUN_STARTED", "CONSOLE_OUTPUT", "RUN_FINISHED", "SIGNATURE_ADDED", "PONG", "ERROR",
            ]
            #expect(expected.isSubset(of: seen), "the session never produced \(expected.subtracting(seen).sorted())")
            #expect(frames.contains { $0.frame.type == "CONSOLE_OUTPUT" && $0.frame["backlog"] == .bool(true) })
        }
    }
}

extension Frame {
    /// The whole frame as JSON, as it came off the wire.
    var json: TestJSON {
        .object(["seq": seq.map { .number(Double($0)) } ?? .null, "type": .string(type), "project": .string(project), "ts": .string(ts), "data": data])
    }
}

/// A scripted session on project onco that makes the server send every kind
/// of frame. Each step waits for the frame it causes, so the script never
/// depends on timing.
private final class LiveSession {
    let api: APIClient
    let bob: TestSocket
    let carol: TestSocket
    var late: [(String, TestSocket)] = []

    init(_ api: APIClient) async throws {
        self.api = api
        (bob, _) = try await RunFixture.socket(api, "bob")
        (carol, _) = try await RunFixture.socket(api, "carol")
        #expect(await bob.next("USER_JOINED") { $0["user"]?.string == "carol" } != nil)
    }

    func close() {
        for socket in [bob, carol] + late.map(\.1) { socket.close() }
    }

    func request(_ method: HTTPRequest.Method, _ uri: String, as user: String, _ body: [String: Any]? = nil, signing: Bool = false) async throws -> APIResponse {
        let token = signing ? try await SignatureRouteTests.token(api.server, user) : try await api.server.token(user)
        let headers: HTTPFields = [.init("X-Foundry-Session")!: "\(user)-tab"]
        let response = body == nil
            ? try await api.request(method, uri, token: token, headers: headers)
            : try await api.request(method, uri, token: token, json: body!, headers: headers)
        #expect(response.status.code < 300, "\(method) \(uri): \(response.status) \(response.text)")
        return response
    }

    /// Plays the script; every frame each socket received, in order.
    func play() async throws -> [(socket: String, frame: Frame)] {
        // Locks over the socket: granted, denied, refreshed; pings and errors.
        bob.send(#"{"type": "LOCK_ACQUIRE", "field": "system_prompt", "ref": "a"}"#)
        #expect(await carol.next("LOCK_ACQUIRED") != nil)
        carol.send(#"{"type": "LOCK_ACQUIRE", "field": "system_prompt", "ref": "b"}"#)
        #expect(await carol.next("LOCK_DENIED") != nil)
        bob.send(#"{"type": "LOCK_REFRESH", "field": "system_prompt", "ttl_seconds": 120, "ref": "c"}"#)
        #expect(await bob.next("LOCK_REFRESHED") != nil)
        bob.send(#"{"type": "PING", "ref": "d"}"#)
        carol.send(#"{"type": "PING"}"#)
        #expect(await bob.next("PONG") != nil)
        #expect(await carol.next("PONG") != nil)
        bob.send("{not json")
        #expect(await bob.next("ERROR") { $0["code"]?.string == "INVALID_JSON" } != nil)
        bob.send(#"{"type": "DANCE", "ref": "e"}"#)
        #expect(await bob.next("ERROR") { $0["code"]?.string == "UNKNOWN_TYPE" } != nil)

        // A save that releases the lock, then the scratchpad.
        _ = try await request(.post, "/projects/onco/drafts", as: "bob", ["base_version": 1, "fields": ["system_prompt": "v2\n"], "message": "edit"])
        #expect(await carol.next("LOCK_RELEASED") { $0["reason"]?.string == "save" } != nil)
        _ = try await request(.put, "/projects/onco/locks/scratchpad", as: "bob")
        _ = try await request(.put, "/projects/onco/scratchpad", as: "bob", ["base_version": 2, "text": "notes\n"])
        #expect(await carol.next("SCRATCHPAD_UPDATED") != nil)

        // Annotations.
        let comment = try await request(.post, "/projects/onco/comments", as: "rita", ["version": 2, "field": "system_prompt", "line_start": 1, "line_end": 1, "text": "why?"])
        let thread = try #require(comment.json["id"] as? String)
        _ = try await request(.post, "/projects/onco/comments/\(thread)/replies", as: "bob", ["text": "because"])
        _ = try await request(.post, "/projects/onco/comments/\(thread)/resolve", as: "rita")
        _ = try await request(.post, "/projects/onco/comments/\(thread)/reopen", as: "rita")
        _ = try await request(.post, "/projects/onco/tasks", as: "rita", ["title": "check", "assignee": "bob", "link": ["field": "system_prompt", "line_start": 1, "line_end": 1]])
        #expect(await carol.next("COMMENT_REOPENED") != nil)
        #expect(await carol.next("TASK_UPDATED") != nil)

        // A run of the server's runner, and an external run that a late socket joins.
        _ = try await request(.post, "/projects/onco/runs", as: "bob")
        #expect(await carol.next("RUN_FINISHED") != nil)
        let external = try #require(try await request(.post, "/projects/onco/runs", as: "bob", ["external": true]).json["run_id"] as? String)
        _ = try await request(.post, "/projects/onco/runs/\(external)/output", as: "bob", ["stream": "stdout", "text": "line\n"])
        #expect(await carol.next("CONSOLE_OUTPUT") { $0["run"]?.string == external } != nil)
        let (vic, _) = try await RunFixture.socket(api, "vic")
        late.append(("vic", vic))
        #expect(await vic.next("CONSOLE_OUTPUT") { $0["backlog"] == .bool(true) } != nil)
        _ = try await request(.post, "/projects/onco/runs/\(external)/finish", as: "bob", ["exit_status": 0])
        #expect(await vic.next("RUN_FINISHED") != nil)

        // A resume from another server run gets RESYNC; a user leaving; the freeze.
        let token = try await api.server.token("dave")
        _ = try await request(.put, "/projects/onco/members/dave", as: "alice", ["role": "viewer"])
        let resumed = TestSocket(port: api.port, path: "/ws/project/onco?token=\(token)&session=dave-tab&since=1&epoch=another-run")
        late.append(("dave", resumed))
        #expect(await resumed.next("RESYNC") != nil)
        vic.close()
        #expect(await carol.next("USER_LEFT") { $0["user"]?.string == "vic" } != nil)
        // A reviewer's approval (a fresh token: signing needs a recent authentication), then the freeze.
        let head = try #require(try await request(.get, "/projects/onco", as: "alice").json["head_version"] as? Int)
        _ = try await request(.post, "/projects/onco/signatures", as: "rita", ["version": head, "meaning": "approved"], signing: true)
        _ = try await request(.post, "/projects/onco/freeze", as: "alice", signing: true)
        #expect(await carol.next("SIGNATURE_ADDED") { $0["meaning"]?.string == "released" } != nil)
        #expect(await carol.next("PROJECT_FROZEN") != nil)
        #expect(await bob.next("PROJECT_FROZEN") != nil)

        return ([("bob", bob), ("carol", carol)] + late).flatMap { name, socket in socket.frames.map { (name, $0) } }
    }
}
