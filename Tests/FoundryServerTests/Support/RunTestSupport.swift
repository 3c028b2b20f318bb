import Foundation
import FoundryStore
import Testing

/// Shared steps of the run tests: a project, sockets, and reading what a run left on disk.
enum RunFixture {
    /// `onco` at version 1, owned by alice; bob and carol editors, rita reviewer, vic viewer.
    static func project(_ api: APIClient, fields: [String: String] = ["system_prompt": "You are ProtocolGuide.\n", "tests/bec.jsonl": "{\"id\": \"bec-001\"}\n"]) async throws {
        let alice = try await api.server.token("alice")
        let created = try await api.request(.post, "/projects", token: alice, json: [
            "name": "Oncology", "id": "onco", "fields": fields,
            "members": ["bob": "editor", "carol": "editor", "rita": "reviewer", "vic": "viewer"],
        ])
        #expect(created.status == .created, "\(created.text)")
    }

    /// A socket of `user` that has received its `SNAPSHOT`.
    static func socket(_ api: APIClient, _ user: String) async throws -> (TestSocket, Frame?) {
        let token = try await api.server.token(user)
        let socket = TestSocket(port: api.port, path: "/ws/project/onco?token=\(token)&session=\(user)-tab")
        return (socket, await socket.next("SNAPSHOT"))
    }

    /// Starts a run as alice; returns the response.
    static func start(_ api: APIClient, _ body: [String: Any]? = nil, as user: String = "alice") async throws -> APIResponse {
        let token = try await api.server.token(user)
        return body == nil
            ? try await api.request(.post, "/projects/onco/runs", token: token)
            : try await api.request(.post, "/projects/onco/runs", token: token, json: body!)
    }

    /// Every console line a socket received for `run`: `(offset, stream, text, backlog, seq)` in arrival order.
    static func lines(_ socket: TestSocket, run: String) -> [(frame: Frame, line: TestJSON)] {
        socket.frames.filter { $0.type == "CONSOLE_OUTPUT" && $0["run"]?.string == run }.flatMap { frame in
            (frame["lines"]?.array ?? []).map { (frame, $0) }
        }
    }

    /// The lines of `console.log` as stored.
    static func consoleLines(_ root: String, run: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: root + "/onco/runs/\(run)/console.log"))
        return data.split(separator: UInt8(ascii: "\n")).map { (try? JSONSerialization.jsonObject(with: Data($0))) as? [String: Any] ?? [:] }
    }

    static func record(_ root: String, run: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: root + "/onco/runs/\(run)/run.json"))
        return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
    }

    /// The entries of the project's audit trail.
    static func audit(_ root: String) throws -> [[String: Any]] {
        let data = try Data(contentsOf: URL(fileURLWithPath: root + "/onco/audit.jsonl"))
        return data.split(separator: UInt8(ascii: "\n")).compactMap { (try? JSONSerialization.jsonObject(with: Data($0))) as? [String: Any] }
    }

    /// `sha256sum <path>` (GNU coreutils).
    static func sha256sum(_ path: String) throws -> String {
        String(try run("/usr/bin/sha256sum", [path]).output.prefix(64))
    }

    /// Runs a shell script in another process (off the cooperative pool); its exit status.
    static func shell(_ script: String) async throws -> Int32 {
        try await blocking { try run("/bin/sh", ["-c", script]).status }
    }

    /// The processes of group `group` that are not zombies (a zombie waits for
    /// its reaper, not for us), read from `/proc/*/stat`.
    static func liveMembers(ofGroup group: Int) -> [Int] {
        ((try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []).compactMap { name -> Int? in
            guard let pid = Int(name), let stat = try? String(contentsOfFile: "/proc/\(name)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, fields[0] != "Z", Int(fields[2]) == group else { return nil }
            return pid
        }
    }

    /// The names in `runs/` (temp entries included).
    static func runDirectories(_ root: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: root + "/onco/runs")) ?? []).sorted()
    }
}
