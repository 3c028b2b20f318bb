import Foundation
@testable import FoundryServer
import Testing

/// Test runs started by the server: real runner processes, real files, a real
/// server and real WebSocket clients.
@Suite("Live test runs")
struct RunTests {
    @Test("A run streams RUN_STARTED, every line in order tagged stdout/stderr, RUN_FINISHED; run.json, payload and audit name what ran")
    func streamsARun() async throws {
        let server = try await TestServer {
            // Each line is printed once the one before is in console.log: stdout and
            // stderr are two pipes, and only this makes their order certain.
            $0.runner = "cat {payload}/system_prompt; after() { until grep -q \"$1\" {run}/console.log; do sleep 0.01; done; }; "
                + "after ProtocolGuide; echo err1 >&2; after err1; echo two; after two; printf 'err2\\n' >&2; exit 3"
        }
        defer { server.cleanup() }
        try await server.run { api in
            try await RunFixture.project(api)
            let (bob, _) = try await RunFixture.socket(api, "bob")
            defer { bob.close() }
            let started = try await RunFixture.start(api)
            #expect(started.status == .created, "\(started.text)")
            let run = try #require(started.json["run_id"] as? String)
            #expect(run == "run-000001")
            let manifest = try await api.request(.get, "/projects/onco", token: try await server.token("alice")).json

            let announced = try #require(await bob.next("RUN_STARTED"))
            #expect(announced["run"]?.string == run)
            #expect(announced["version"]?.int == 1)
            #expect(announced["draft_id"]?.string == manifest["current_draft_id"] as? String)
            #expect(announced["started_by"]?.string == "alice")
            let finished = try #require(await bob.next("RUN_FINISHED"))
            #expect(finished["state"]?.string == "failed")
            #expect(finished["exit_status"]?.int == 3)
            let lines = RunFixture.lines(bob, run: run)
            #expect(lines.map { "\($0.line["stream"]?.string ?? "?"):\($0.line["text"]?.string ?? "")" }
                == ["stdout:You are ProtocolGuide.\n", "stderr:err1\n", "stdout:two\n", "stderr:err2\n"])
            #expect(lines.allSatisfy { $0.frame.seq! > announced.seq! && $0.frame.seq! < finished.seq! })
            let seqs = bob.frames.filter { ["RUN_STARTED", "CONSOLE_OUTPUT", "RUN_FINISHED"].contains($0.type) }.map(\.seq!)
            #expect(seqs == seqs.sorted())

            let record = try RunFixture.record(server.root, run: run)
            let directory = server.root + "/onco/runs/" + run
            #expect(record["draft_id"] as? String == manifest["current_draft_id"] as? String)
            #expect(record["version"] as? Int == 1)
            #expect(record["started_by"] as? String == "alice")
            #expect(record["session"] as? String == "alice-tab")
            #expect((record["command"] as? String)?.hasPrefix("cat '\(directory)/payload'/system_prompt;") == true, "\(record["command"] ?? "")")
            #expect(record["state"] as? String == "failed")
            #expect(record["exit_status"] as? Int == 3)
            #expect(record["external"] as? Bool == false)
            #expect(record["started_at"] is String && record["ended_at"] is String)
            #expect(record["console_sha256"] as? String == (try RunFixture.sha256sum(directory + "/console.log")))
            #expect(record["console_bytes"] as? Int == (try FileManager.default.attributesOfItem(atPath: directory + "/console.log")[.size] as? Int))
            #expect(try RunFixture.consoleLines(server.root, run: run).map { $0["stream"] as? String } == ["stdout", "stderr", "stdout", "stderr"])

            // The payload: the version's fields at their paths, read-only, listed with their hashes.
            let attributes = try FileManager.default.attributesOfItem(atPath: directory + "/payload/tests/bec.jsonl")
            #expect((attributes[.posixPermissions] as? Int) == 0o444)
            let payload = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: directory + "/payload.json"))) as? [String: Any] ?? [:]
            let fields = payload["fields"] as? [String: [String: Any]] ?? [:]
            #expect(Set(fields.keys) == ["system_prompt", "tests/bec.jsonl"])
            for (name, entry) in fields {
                #expect(entry["sha256"] as? String == (try RunFixture.sha256sum(directory + "/payload/" + name)))
            }
            #expect(record["payload_sha256"] as? String == (try RunFixture.sha256sum(directory + "/payload.json")))

            let audit = try RunFixture.audit(server.root).filter { ($0["type"] as? String)?.hasPrefix("run.") == true }
            #expect(audit.map { $0["type"] as? String } == ["run.started", "run.finished"])
            #expect(audit.first?["user"] as? String == "alice")
            #expect((audit.first?["data"] as? [String: Any])?["draft_id"] as? String == manifest["current_draft_id"] as? String)
            #expect((audit.last?["data"] as? [String: Any])?["console_sha256"] as? String == record["console_sha256"] as? String)
            #expect(audit.last?["user"] as? String == "@foundry")

            let alice = try await server.token("alice")
            let listed = try await api.request(.get, "/projects/onco/runs", token: alice)
            #expect((listed.json["runs"] as? [[String: Any]])?.map { $0["run_id"] as? String } == [run])
            let console = try await api.request(.get, "/projects/onco/runs/\(run)/console", token: alice)
            #expect(console.body == (try Data(contentsOf: URL(fileURLWithPath: directory + "/console.log"))))
            #expect(console.headers[.init("X-Next-Offset")!] == String(console.body.count))
        }
    }

    @Test("A socket that joins mid-run gets the backlog, then live lines, with no gap and no duplicate")
    func joinMidRun() async throws {
        // The runner prints a line every 20 ms until the test creates the gate
        // file: the run is certainly going when carol joins, and after.
        let server = try await TestServer {
            $0.runner = #"i=0; while [ ! -e '\#($0.root)/.runner-gate' ] && [ $i -lt 100000 ]; do echo "line $i"; i=$((i+1)); sleep 0.02; done"#
        }
        defer { server.cleanup() }
        try await server.run { api in
            try await RunFixture.project(api)
            let (bob, _) = try await RunFixture.socket(api, "bob")
            defer { bob.close() }
            let run = try #require(try await RunFixture.start(api).json["run_id"] as? String)
            // Lines written apart may be read together into one console entry: look at the text.
            #expect(await eventually { Self.text(bob, run: run).contains("line 10\n") })

            let (carol, snapshot) = try await RunFixture.socket(api, "carol")
            defer { carol.close() }
            let runs = try #require(snapshot?["runs"]?.array)
            #expect(runs.first?["run"]?.string == run)
            #expect(runs.first?["state"]?.string == "running")
            #expect((runs.first?["console_offset"]?.int ?? 0) > 0)
            #expect(await carol.next("CONSOLE_OUTPUT") { $0.seq != nil } != nil, "no live line after the join")
            #expect(FileManager.default.createFile(atPath: server.root + "/.runner-gate", contents: nil))
            #expect(await carol.next("RUN_FINISHED") != nil)

            let frames = carol.frames.filter { $0.type == "CONSOLE_OUTPUT" }
            let backlog = try #require(frames.first)
            #expect(backlog["backlog"] == .bool(true))
            #expect(backlog.seq == nil)
            #expect(backlog["offset"]?.int == 0)
            #expect(backlog["end"]?.int == runs.first?["console_offset"]?.int)
            #expect(frames.dropFirst().allSatisfy { $0.seq != nil && $0["backlog"] == nil })
            for (previous, next) in zip(frames, frames.dropFirst()) {
                #expect(next["offset"]?.int == previous["end"]?.int, "a gap or an overlap between frames")
            }
            let stored = try RunFixture.consoleLines(server.root, run: run).map { $0["text"] as? String ?? "" }.joined()
            #expect(Self.text(carol, run: run) == stored)
            #expect(stored == (0..<stored.count { $0 == "\n" }).map { "line \($0)\n" }.joined())
            #expect(Self.text(bob, run: run) == stored)
        }
    }

    /// The console text a socket received for `run`, in order.
    static func text(_ socket: TestSocket, run: String) -> String {
        RunFixture.lines(socket, run: run).map { $0.line["text"]?.string ?? "" }.joined()
    }

    @Test("A runner gets /dev/null and its two pipes, and none of the server's other descriptors")
    func runnerDescriptors() async throws {
        let server = try await TestServer { $0.runner = "ls -l /proc/$$/fd" }
        defer { server.cleanup() }
        // The test runs in the server's process: a file it holds open without close-on-exec
        // (as Foundation's Data.write does) must not outlive itself in a runner.
        let held = server.root + "-held-open"
        let fd = open(held, O_WRONLY | O_CREAT, 0o600)
        #expect(fd >= 0)
        defer { close(fd); unlink(held) }
        try await server.run { api in
            try await RunFixture.project(api)
            let (bob, _) = try await RunFixture.socket(api, "bob")
            defer { bob.close() }
            let run = try #require(try await RunFixture.start(api).json["run_id"] as? String)
            #expect(await bob.next("RUN_FINISHED") { $0["run"]?.string == run } != nil)
            let listing = Self.text(bob, run: run)
            let descriptors = listing.split(separator: "\n").compactMap { line in
                line.split(separator: " ").firstIndex(of: "->").flatMap { Int(line.split(separator: " ")[$0 - 1]) }
            }
            #expect(!descriptors.isEmpty, "\(listing)")
            #expect(descriptors.allSatisfy { $0 <= 2 }, "the runner holds more than stdin, stdout and stderr: \(listing)")
            #expect(!listing.contains(held), "the runner inherited the test's descriptor: \(listing)")
        }
    }

    @Test("Cancel sends SIGTERM, then SIGKILL after the grace period to a runner that ignores SIGTERM; state cancelled")
    func cancel() async throws {
        let server = try await TestServer {
            $0.runner = "trap '' TERM; echo ready; sleep 30; echo never"
            $0.runnerGrace = 1
        }
        defer { server.cleanup() }
        try await server.run { api in
            try await RunFixture.project(api)
            let (bob, _) = try await RunFixture.socket(api, "bob")
            defer { bob.close() }
            let started = try await RunFixture.start(api)
            let run = try #require(started.json["run_id"] as? String)
            let pid = try #require(started.json["pid"] as? Int)
            #expect(await bob.next("CONSOLE_OUTPUT") { $0["lines"]?.array.first?["text"]?.string == "ready\n" } != nil)

            let clock = ContinuousClock.now
            let cancelled = try await api.request(.delete, "/projects/onco/runs/\(run)", token: try await server.token("carol"))
            let elapsed = ContinuousClock.now - clock
            #expect(cancelled.status == .ok, "\(cancelled.text)")
            #expect(cancelled.json["state"] as? String == "cancelled")
            #expect(cancelled.json["signal"] as? Int == 9)
            #expect(cancelled.json["cancelled_by"] as? String == "carol")
            // Not before the grace period; that it did not wait for `sleep 30` is signal 9 above.
            #expect(elapsed >= .milliseconds(900), "\(elapsed)")
            #expect(RunFixture.liveMembers(ofGroup: pid).isEmpty, "the runner's process group is gone")
            let finished = try #require(await bob.next("RUN_FINISHED"))
            #expect(finished["state"]?.string == "cancelled")
            #expect(finished["cancelled_by"]?.string == "carol")
            let entry = try RunFixture.audit(server.root).last { $0["type"] as? String == "run.cancelled" }
            #expect(entry?["user"] as? String == "carol")

            let again = try await api.request(.delete, "/projects/onco/runs/\(run)", token: try await server.token("carol"))
            #expect(again.status == .conflict)
            #expect(again.errorCode == "RUN_FINISHED")
        }
    }

    @Test("A flooding runner is capped (truncated, console ≤ cap + one line) while the server and other sockets go on")
    func flood() async throws {
        let cap = 64 * 1024
        let server = try await TestServer {
            $0.runner = "yes"
            $0.runLogCap = cap
            $0.runnerGrace = 1
        }
        defer { server.cleanup() }
        try await server.run { api in
            try await RunFixture.project(api)
            let (bob, _) = try await RunFixture.socket(api, "bob")
            defer { bob.close() }
            let (carol, _) = try await RunFixture.socket(api, "carol")
            defer { carol.close() }
            let run = try #require(try await RunFixture.start(api).json["run_id"] as? String)
            let notice = await bob.next("CONSOLE_OUTPUT") { $0["lines"]?.array.contains { $0["stream"]?.string == "system" } == true }
            #expect(notice != nil)

            // Meanwhile the server answers and broadcasts as usual.
            let alice = try await server.token("alice")
            for _ in 0..<5 {
                #expect(try await api.request(.get, "/projects/onco", token: alice).status == .ok)
            }
            #expect(try await api.request(.put, "/projects/onco/locks/system_prompt", token: alice).status == .ok)
            #expect(await carol.next("LOCK_ACQUIRED") != nil)

            let cancelled = try await api.request(.delete, "/projects/onco/runs/\(run)", token: alice)
            #expect(cancelled.json["state"] as? String == "cancelled")
            #expect(cancelled.json["truncated"] as? Bool == true)
            let size = try #require(cancelled.json["console_bytes"] as? Int)
            let lines = try RunFixture.consoleLines(server.root, run: run)
            #expect(size <= cap + 200, "\(size)")
            #expect(lines.last?["stream"] as? String == "system")
            #expect(lines.dropLast().allSatisfy { $0["stream"] as? String == "stdout" })
            let finished = try #require(await bob.next("RUN_FINISHED"))
            #expect(finished["truncated"] == .bool(true))
        }
    }

    @Test("The fixture runner executes the BEC corpus of the sample agent and succeeds")
    func fixtureRunner() async throws {
        let server = try await TestServer { $0.runner = "\(fixtures)/runner/bec-runner.sh {payload} {run}" }
        defer { server.cleanup() }
        try await server.run { api in
            let agent = fixtures + "/oncology-agent"
            var fields: [String: String] = [:]
            for name in ["system_prompt", "model_config.json", "topology.yaml", "tests/bec.jsonl"] {
                fields[name] = try String(contentsOfFile: agent + "/" + name, encoding: .utf8)
            }
            try await RunFixture.project(api, fields: fields)
            let (bob, _) = try await RunFixture.socket(api, "bob")
            defer { bob.close() }
            let run = try #require(try await RunFixture.start(api).json["run_id"] as? String)
            let finished = try #require(await bob.next("RUN_FINISHED"))
            #expect(finished["state"]?.string == "succeeded", "\(RunFixture.lines(bob, run: run).suffix(3))")
            let lines = RunFixture.lines(bob, run: run).map(\.line)
            #expect(lines.contains { $0["stream"]?.string == "stderr" })
            let output = lines.map { $0["text"]?.string ?? "" }.joined()
            #expect(output.contains("done: 30 passed, 0 failed of 30"))
            #expect(Set(lines.compactMap { $0["ts"]?.string }).count > 5, "output arrives over time")
        }
    }
}

@Suite("Runner output chunks")
struct RunOutputChunkTests {
    @Test("A chunk is cut before an incomplete UTF-8 sequence, never inside one")
    func utf8Boundary() {
        let euro: [UInt8] = [0xE2, 0x82, 0xAC]
        #expect(RunOutputLoop.utf8Boundary(Array("ab".utf8)) == 2)
        #expect(RunOutputLoop.utf8Boundary([0x61] + euro) == 4)
        #expect(RunOutputLoop.utf8Boundary([0x61] + euro.prefix(2)) == 1)
        #expect(RunOutputLoop.utf8Boundary([0x61, 0xF0, 0x9F]) == 1)
        #expect(RunOutputLoop.utf8Boundary([0x61, 0xC3]) == 1)
    }
}
