import Foundation
import FoundryServer
import Testing

/// A write the disk cannot take: refused with 507, nothing partial left, and
/// the server keeps serving. Two real limits: `RLIMIT_FSIZE` on the server
/// process (EFBIG; needs no privilege) and a small tmpfs (ENOSPC; needs
/// `mount`, so it is skipped where the test may not mount).
@Suite("Fault: disk full and file too large", .serialized)
struct DiskFullFaultTests {
    static let project = "full"

    @Test("RLIMIT_FSIZE: a save larger than the limit is refused with 507, changes nothing, and the server goes on")
    func fileTooLarge() async throws {
        let root = NSTemporaryDirectory() + "foundry-fault-fsize-" + UUID().uuidString
        defer { cleanup(root) }
        let alice = try await Self.token("alice")
        let server = try await blocking { try ServerProcess(root: root, lockTTL: 60, wrapper: ["/usr/bin/prlimit", "--fsize=262144", "--"]) }
        defer { server.kill() }
        let result = try await blocking { try Self.refusedSave(port: server.port, root: root, token: alice, size: 1 << 20) }
        #expect(result.problems.isEmpty, "\(result.problems.joined(separator: "\n"))\n\(server.log.suffix(2000))")
        #expect(server.isRunning, "the server died (SIGXFSZ?): \(server.log.suffix(2000))")
        #expect(Self.ignores(SIGXFSZ, pid: server.pid), "foundry serve must ignore SIGXFSZ, so that a write past the limit fails with EFBIG instead of killing it")
        print("disk full (RLIMIT_FSIZE 256 KiB): \(result.message ?? "no message")")
    }

    @Test("RLIMIT_FSIZE reached by the audit trail: the lock or save is refused with 507 before any file changes")
    func auditTrailTooLarge() async throws {
        let root = NSTemporaryDirectory() + "foundry-fault-audit-" + UUID().uuidString
        defer { cleanup(root) }
        let alice = try await Self.token("alice")
        let setup = try await blocking { try ServerProcess(root: root, lockTTL: 60) }
        try await blocking {
            let port = setup.port
            try Self.createProject(port: port, token: alice)
            // Grow the audit trail well past the size of a draft record.
            for _ in 0..<20 {
                _ = try BlockingHTTP.request(port: port, "PUT", "/projects/\(Self.project)/locks/notes.txt", token: alice)
                _ = try BlockingHTTP.request(port: port, "DELETE", "/projects/\(Self.project)/locks/notes.txt", token: alice)
            }
            _ = try BlockingHTTP.request(port: port, "PUT", "/projects/\(Self.project)/locks/notes.txt", token: alice)
        }
        _ = try await blocking { setup.kill(SIGTERM) }
        let audit = root + "/\(Self.project)/audit.jsonl"
        let limit = try #require(FileManager.default.attributesOfItem(atPath: audit)[.size] as? Int) + 64
        let server = try await blocking { try ServerProcess(root: root, lockTTL: 60, wrapper: ["/usr/bin/prlimit", "--fsize=\(limit)", "--"]) }
        defer { server.kill() }
        let port = server.port
        let (lockProblems, saveProblems) = try await blocking { () -> ([String], [String]) in
            let lock = try Self.expectRefused(root: root, port: port) {
                try BlockingHTTP.request(port: port, "PUT", "/projects/\(Self.project)/locks/system_prompt", token: alice)
            }
            let save = try Self.expectRefused(root: root, port: port) {
                try BlockingHTTP.request(port: port, "POST", "/projects/\(Self.project)/drafts", token: alice, body: .json([
                    "base_version": 1, "fields": ["notes.txt": "a small edit that fits\n"],
                ]))
            }
            return (lock, save)
        }
        #expect(lockProblems.isEmpty, "lock: \(lockProblems.joined(separator: "\n"))")
        #expect(saveProblems.isEmpty, "save: \(saveProblems.joined(separator: "\n"))")
        #expect(server.isRunning, "the server died: \(server.log.suffix(2000))")
    }

    @Test("A full tmpfs root: a save, then a lock, are refused with 507 (ENOSPC) and change nothing; a save that fits still works",
          .enabled(if: TmpfsMount.isPermitted, "mounting a tmpfs is not permitted here"))
    func diskFull() async throws {
        let mount = try TmpfsMount(megabytes: 4)
        defer { mount.unmount() }
        let root = mount.path + "/workspaces"
        let alice = try await Self.token("alice")
        let logs = NSTemporaryDirectory() + "foundry-fault-tmpfs-logs-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: logs) }
        let server = try await blocking { try ServerProcess(root: root, lockTTL: 60, logDirectory: logs) }
        defer { server.kill() }
        let result = try await blocking { () -> (problems: [String], message: String?) in
            try Self.createProject(port: server.port, token: alice)
            try mount.fill(leaving: 256 * 1024)
            var result = try Self.refusedSave(port: server.port, root: root, token: alice, size: 1 << 20, createProject: false)
            // Not a byte left. Sockets coming and going append audit lines into the
            // room the last change reserved, until the trail has outgrown it; then
            // a lock is refused whole, by the reservation for its audit line.
            try mount.fill(leaving: 0)
            var opened = 0
            for _ in 0..<30 {
                // Its session opened (SNAPSHOT) or was refused (a close frame, 1011): the server is done with
                // the connect; the socket closes at the end of the turn.
                let socket = try RawWebSocket(port: server.port, path: "/ws/project/\(Self.project)?token=\(alice)")
                let first = socket.nextFrame { $0.json?.type == "SNAPSHOT" || $0.opcode == RawWebSocket.Opcode.close }
                if first?.opcode == RawWebSocket.Opcode.text { opened += 1 }
            }
            // Every opened session has ended: the server logs `socket disconnected` after trying its audit line.
            func disconnections() -> Int { server.log.components(separatedBy: "\"socket disconnected\"").count - 1 }
            let deadline = Date().addingTimeInterval(failureBound)
            while disconnections() < opened, Date() < deadline { usleep(10_000) }
            if disconnections() < opened { result.problems.append("\(opened) sessions opened, \(disconnections()) ended") }
            var lockMessage: String?
            result.problems += try Self.expectRefused(root: root, port: server.port) {
                let reply = try BlockingHTTP.request(port: server.port, "PUT", "/projects/\(Self.project)/locks/system_prompt", token: alice)
                lockMessage = reply.errorMessage
                return reply
            }
            if lockMessage?.contains("audit.jsonl") != true { result.problems.append("the lock was not refused by the audit reservation: \(lockMessage ?? "-")") }
            return result
        }
        #expect(result.problems.isEmpty, "\(result.problems.joined(separator: "\n"))\n\(server.log.suffix(2000))")
        print("disk full (tmpfs 4 MiB): \(result.message ?? "no message")")
    }

    @Test("A tmpfs with 0, 1, 2 … pages left: each save is refused with nothing changed, or saved whole — never refused after the fact",
          .enabled(if: TmpfsMount.isPermitted, "mounting a tmpfs is not permitted here"))
    func diskFillsAtEveryStep() async throws {
        let mount = try TmpfsMount(megabytes: 4)
        defer { mount.unmount() }
        let root = mount.path + "/workspaces"
        let alice = try await Self.token("alice")
        let logs = NSTemporaryDirectory() + "foundry-fault-tmpfs-logs-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: logs) }
        let server = try await blocking { try ServerProcess(root: root, lockTTL: 600, logDirectory: logs) }
        defer { server.kill() }
        let port = server.port
        let (outcomes, problems) = try await blocking { () -> ([String], [String]) in
            try Self.createProject(port: port, token: alice)
            _ = try BlockingHTTP.request(port: port, "PUT", "/projects/\(Self.project)/locks/notes.txt", token: alice)
            var outcomes: [String] = []
            var problems: [String] = []
            for pages in 0...8 {
                var head = try BlockingHTTP.request(port: port, "GET", "/projects/\(Self.project)", token: alice).json["head_version"] as? Int ?? 0
                mount.removeFillers()
                try mount.fill(leaving: pages * 4096)
                let text = "edit made with \(pages) page(s) free\n"
                var reply: HTTPReply?
                let refusal = try Self.expectRefused(root: root, port: port) {
                    let sent = try BlockingHTTP.request(port: port, "POST", "/projects/\(Self.project)/drafts", token: alice, body: .json([
                        "base_version": head, "fields": ["notes.txt": text], "keep_locks": true,
                    ]))
                    reply = sent
                    return sent
                }
                switch reply?.status {
                case 507:
                    problems += refusal.map { "\(pages) page(s) free: \($0)" }
                    outcomes.append("\(pages): 507 at \(((reply?.errorMessage ?? "").components(separatedBy: "/full/").last ?? "").prefix(while: { $0 != " " }))")
                case 201:
                    head = reply?.json["version_number"] as? Int ?? head
                    let stored = try BlockingHTTP.request(port: port, "GET", "/projects/\(Self.project)/drafts/\(head)/fields/notes.txt", token: alice)
                    if stored.text != text { problems.append("\(pages) page(s) free: 201 v\(head), but it holds \(stored.status) \(stored.text)") }
                    let verify = try verifyRoot(root)
                    if verify.status != 0 { problems.append("\(pages) page(s) free: 201 v\(head), then verify: \(verify.output)") }
                    outcomes.append("\(pages): 201 v\(head)")
                default:
                    problems.append("\(pages) page(s) free: \(reply?.status ?? 0) \(reply?.text ?? "")")
                }
            }
            return (outcomes, problems)
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))\n\(server.log.suffix(2000))")
        #expect(outcomes.contains { $0.contains("201") }, "no save fitted: \(outcomes)")
        print("disk full step by step (tmpfs, pages left: outcome): \(outcomes.joined(separator: "; "))")
    }

    // MARK: Steps

    /// Whether process `pid` ignores `signal` (its `SigIgn` mask in /proc).
    static func ignores(_ signal: Int32, pid: Int32) -> Bool {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigIgn:") }),
              let mask = UInt64(line.dropFirst("SigIgn:".count).trimmingCharacters(in: .whitespaces), radix: 16)
        else { return false }
        return mask & (1 << UInt64(signal - 1)) != 0
    }

    static func token(_ user: String) async throws -> String {
        try await TokenAuthority(secret: TestServer.secret).issue(user: user, session: user, lifetime: 3600)
    }

    static func createProject(port: Int, token: String) throws {
        let reply = try BlockingHTTP.request(port: port, "POST", "/projects", token: token, body: .json([
            "name": "Disk full", "id": project, "fields": ["system_prompt": "You are careful.\n", "notes.txt": "notes\n"],
        ]))
        guard reply.status == 201 else { throw HTTPFailure.truncated("create: \(reply.status) \(reply.text)") }
    }

    /// Locks `notes.txt`, saves `size` bytes into it (refused with 507), then
    /// checks the files, `foundry verify`, reads, and a small save.
    static func refusedSave(port: Int, root: String, token: String, size: Int, createProject create: Bool = true) throws -> (problems: [String], message: String?) {
        if create { try createProject(port: port, token: token) }
        var problems: [String] = []
        let lock = try BlockingHTTP.request(port: port, "PUT", "/projects/\(project)/locks/notes.txt", token: token)
        if lock.status != 200 { problems.append("lock: \(lock.status) \(lock.text)") }
        let big = String(repeating: "0123456789abcdef\n", count: size / 17)
        var message: String?
        problems += try expectRefused(root: root, port: port) {
            let reply = try BlockingHTTP.request(port: port, "POST", "/projects/\(project)/drafts", token: token, body: .json([
                "base_version": 1, "fields": ["notes.txt": big], "keep_locks": true,
            ]))
            message = reply.errorMessage
            return reply
        }
        for path in ["/projects/\(project)", "/projects/\(project)/drafts", "/projects/\(project)/drafts/current/fields/notes.txt", "/projects/\(project)/locks"] {
            let read = try BlockingHTTP.request(port: port, "GET", path, token: token)
            if read.status != 200 { problems.append("GET \(path) after the refusal: \(read.status)") }
        }
        let small = try BlockingHTTP.request(port: port, "POST", "/projects/\(project)/drafts", token: token, body: .json([
            "base_version": 1, "fields": ["notes.txt": "a small edit that fits\n"],
        ]))
        if small.status != 201 || small.json["version_number"] as? Int != 2 { problems.append("a save that fits: \(small.status) \(small.text)") }
        let verify = try verifyRoot(root)
        if verify.status != 0 { problems.append("foundry verify after the small save: \(verify.output)") }
        return (problems, message)
    }

    /// Runs `request`, which the full disk must refuse: 507 `STORAGE_FULL`
    /// with a message, the files (audit trail included) exactly as before,
    /// no temp file left, and `foundry verify` clean.
    static func expectRefused(root: String, port: Int, _ request: () throws -> HTTPReply) throws -> [String] {
        var problems: [String] = []
        let audit = root + "/\(project)/audit.jsonl"
        let before = try snapshot(root)
        let auditBefore = FileManager.default.contents(atPath: audit)
        let reply = try request()
        if reply.status != 507 || reply.errorCode != "STORAGE_FULL" { problems.append("expected 507 STORAGE_FULL, got \(reply.status) \(reply.text)") }
        if (reply.errorMessage ?? "").isEmpty { problems.append("the 507 has no message") }
        let after = try snapshot(root)
        for path in Set(before.keys).union(after.keys).sorted() where before[path] != after[path] {
            problems.append("\(path) changed: \(before[path] ?? "absent") → \(after[path] ?? "absent")")
        }
        if FileManager.default.contents(atPath: audit) != auditBefore { problems.append("audit.jsonl changed") }
        let verify = try verifyRoot(root)
        if verify.status != 0 { problems.append("foundry verify after the refusal: \(verify.output)") }
        return problems
    }

    private func cleanup(_ root: String) {
        try? FileManager.default.removeItem(atPath: root)
        try? FileManager.default.removeItem(atPath: root + "-logs")
    }
}
