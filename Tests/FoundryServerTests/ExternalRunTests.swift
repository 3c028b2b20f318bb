import Foundation
import FoundryStore
import Testing

/// External runs (driven over HTTP or by appending to `console.log`), and
/// what a run refuses: bad input, roles, a missing or broken runner.
@Suite("External runs and refused runs")
struct ExternalRunTests {
    @Test("An external run streams output appended over HTTP and appended to console.log by another process; a finished run refuses more")
    func externalRun() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await RunFixture.project(api)
            let (bob, _) = try await RunFixture.socket(api, "bob")
            defer { bob.close() }
            let alice = try await server.token("alice")
            let created = try await RunFixture.start(api, ["external": true])
            #expect(created.status == .created, "\(created.text)")
            let run = try #require(created.json["run_id"] as? String)
            #expect(created.json["external"] as? Bool == true)
            #expect(created.json["command"] is NSNull)
            #expect(FileManager.default.fileExists(atPath: server.root + "/onco/runs/\(run)/payload/system_prompt"))
            let started = try #require(await bob.next("RUN_STARTED"))
            #expect(started["external"] == .bool(true))

            let appended = try await api.request(.post, "/projects/onco/runs/\(run)/output", token: alice, json: ["stream": "stdout", "text": "hello\n"])
            #expect(appended.status == .ok, "\(appended.text)")
            #expect(appended.json["offset"] as? Int == 0)
            let console = server.root + "/onco/runs/\(run)/console.log"
            let shell = "echo direct >> '\(console)'; printf '%s\\n' '{\"stream\": \"stderr\", \"text\": \"from a file\\n\", \"ts\": \"2026-11-25T09:30:00.000Z\"}' >> '\(console)'"
            #expect(try await RunFixture.shell(shell) == 0)
            #expect(await eventually {
                RunFixture.lines(bob, run: run).count == 3
            })
            let lines = RunFixture.lines(bob, run: run).map(\.line)
            #expect(lines.map { $0["text"]?.string ?? "" } == ["hello\n", "direct\n", "from a file\n"])
            #expect(lines.map { $0["stream"]?.string ?? "" } == ["stdout", "stdout", "stderr"])
            #expect(lines.first?["user"]?.string == "alice")

            let finished = try await api.request(.post, "/projects/onco/runs/\(run)/finish", token: alice, json: ["exit_status": 0])
            #expect(finished.status == .ok, "\(finished.text)")
            #expect(finished.json["state"] as? String == "succeeded")
            #expect(finished.json["console_sha256"] as? String == (try RunFixture.sha256sum(console)))
            let end = try #require(await bob.next("RUN_FINISHED"))
            #expect(end["exit_status"]?.int == 0)

            // Output to a finished run: 409, console.log unchanged, no broadcast.
            let sealed = try RunFixture.sha256sum(console)
            let late = try await api.request(.post, "/projects/onco/runs/\(run)/output", token: alice, json: ["stream": "stdout", "text": "late\n"])
            #expect(late.status == .conflict)
            #expect(late.errorCode == "RUN_FINISHED")
            #expect(try RunFixture.sha256sum(console) == sealed)
            #expect(try await api.request(.post, "/projects/onco/runs/\(run)/finish", token: alice, json: ["exit_status": 1]).errorCode == "RUN_FINISHED")
            #expect(try await api.request(.delete, "/projects/onco/runs/\(run)", token: alice).errorCode == "RUN_FINISHED")

            // Bad input changes nothing.
            let other = try #require(try await RunFixture.start(api, ["external": true]).json["run_id"] as? String)
            let before = try snapshot(server.root)
            #expect(try await api.request(.post, "/projects/onco/runs/\(other)/output", token: alice, json: ["stream": "system", "text": "x"]).errorCode == "INVALID_ARGUMENT")
            #expect(try await api.request(.post, "/projects/onco/runs/\(other)/output", token: alice, json: ["text": "x"]).errorCode == "INVALID_JSON")
            #expect(try await api.request(.post, "/projects/onco/runs/run-999999/output", token: alice, json: ["stream": "stdout", "text": "x"]).errorCode == "RUN_NOT_FOUND")
            #expect(try await api.request(.get, "/projects/onco/runs/Bad..Id", token: alice).status == .badRequest)
            #expect(try snapshot(server.root) == before)

            // Cancelling an external run just marks it.
            let cancelled = try await api.request(.delete, "/projects/onco/runs/\(other)", token: alice)
            #expect(cancelled.json["state"] as? String == "cancelled")
            #expect(cancelled.json["cancelled_by"] as? String == "alice")
            let from = try await api.request(.get, "/projects/onco/runs/\(run)/console?from=\(appended.json["next_offset"] as? Int ?? 0)", token: alice)
            #expect(from.text.split(separator: "\n").count == 2)
        }
    }

    @Test("Without a runner, and with a shell that cannot start: a clear error and no run directory; exit 127 is a failed run")
    func runnerMissingOrBroken() async throws {
        let plain = try await TestServer()
        defer { plain.cleanup() }
        try await plain.run { api in
            try await RunFixture.project(api)
            let before = try snapshot(plain.root)
            let refused = try await RunFixture.start(api)
            #expect(refused.status.code == 503)
            #expect(refused.errorCode == "RUNNER_NOT_CONFIGURED")
            #expect(refused.errorMessage?.contains("--runner") == true)
            #expect(try snapshot(plain.root) == before)
        }

        let broken = try await TestServer {
            $0.runner = "echo {payload}"
            $0.runnerShell = "/nonexistent/sh"
        }
        defer { broken.cleanup() }
        try await broken.run { api in
            try await RunFixture.project(api)
            let refused = try await RunFixture.start(api)
            #expect(refused.status.code == 500)
            #expect(refused.errorCode == "RUNNER_FAILED_TO_START")
            #expect(refused.errorMessage?.contains("/nonexistent/sh") == true, "\(refused.text)")
            #expect(RunFixture.runDirectories(broken.root).isEmpty, "\(RunFixture.runDirectories(broken.root))")
            #expect(!(try RunFixture.audit(broken.root)).contains { $0["type"] as? String == "run.started" })
        }

        let missing = try await TestServer { $0.runner = "no-such-command-for-foundry {payload}" }
        defer { missing.cleanup() }
        try await missing.run { api in
            try await RunFixture.project(api)
            let (bob, _) = try await RunFixture.socket(api, "bob")
            defer { bob.close() }
            let started = try await RunFixture.start(api)
            #expect(started.status == .created)
            let finished = try #require(await bob.next("RUN_FINISHED"))
            #expect(finished["state"]?.string == "failed")
            #expect(finished["exit_status"]?.int == 127)
            #expect(RunFixture.lines(bob, run: "run-000001").contains { $0.line["stream"]?.string == "stderr" })
        }
    }

    @Test("Viewers and reviewers may read runs but not start, feed, finish or cancel them; invalid content and a frozen project are refused")
    func refusals() async throws {
        let server = try await TestServer { $0.runner = "echo ok" }
        defer { server.cleanup() }
        try await server.run { api in
            try await RunFixture.project(api)
            let alice = try await server.token("alice")
            let run = try #require(try await RunFixture.start(api, ["external": true]).json["run_id"] as? String)
            let before = try snapshot(server.root)
            for user in ["vic", "rita"] {
                let token = try await server.token(user)
                #expect(try await api.request(.get, "/projects/onco/runs", token: token).status == .ok)
                #expect(try await api.request(.get, "/projects/onco/runs/\(run)", token: token).status == .ok)
                #expect(try await api.request(.get, "/projects/onco/runs/\(run)/console", token: token).status == .ok)
                #expect(try await RunFixture.start(api, as: user).status == .forbidden)
                #expect(try await api.request(.post, "/projects/onco/runs/\(run)/output", token: token, json: ["stream": "stdout", "text": "x"]).status == .forbidden)
                #expect(try await api.request(.post, "/projects/onco/runs/\(run)/finish", token: token, json: ["exit_status": 0]).status == .forbidden)
                #expect(try await api.request(.delete, "/projects/onco/runs/\(run)", token: token).status == .forbidden)
            }
            #expect(try snapshot(server.root) == before)

            // A version whose JSON does not parse is not exported.
            #expect(try await api.request(.put, "/projects/onco/locks/model_config.json", token: alice).status == .ok)
            let broken = try await api.request(.post, "/projects/onco/drafts", token: alice, json: ["base_version": 1, "fields": ["model_config.json": "{\"a\": 1,\n \"b\"\n}\n"]])
            #expect(broken.status == .created)
            let invalid = try await RunFixture.start(api)
            #expect(invalid.status.code == 422)
            #expect(invalid.errorCode == "INVALID_CONTENT")
            #expect((invalid.json["error"] as? [String: Any])?["field"] as? String == "model_config.json")
            #expect((invalid.json["error"] as? [String: Any])?["line"] as? String == "3")
            #expect(RunFixture.runDirectories(server.root) == [run])
            // An older, valid version still runs.
            #expect(try await RunFixture.start(api, ["version": 1]).status == .created)
            #expect(try await RunFixture.start(api, ["version": 9]).errorCode == "VERSION_NOT_FOUND")

            let manifest = server.root + "/onco/project.json"
            let text = try String(contentsOfFile: manifest, encoding: .utf8)
            try text.replacingOccurrences(of: "\"state\" : \"open\"", with: "\"state\" : \"frozen\"").write(toFile: manifest, atomically: true, encoding: .utf8)
            let frozen = try await RunFixture.start(api, ["version": 1])
            #expect(frozen.errorCode == "PROJECT_FROZEN")
        }
    }

    @Test("At startup a run whose supervising server is gone is marked lost; external runs are left alone")
    func lostRun() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        let workspace = try Workspace(root: server.root)
        let owner = EditorIdentity(user: "alice", session: "alice-tab")
        let store = try workspace.createProject(NewProject(name: "Oncology", id: try ProjectID("onco"), fields: [try FieldName("system_prompt"): "v1\n"]), by: owner)
        var prepared = try store.prepareRun(version: nil, by: owner, external: false)
        let here = RunSupervisorID.current
        prepared.record.supervisor = RunSupervisorID(host: here.host, bootID: here.bootID, pid: here.pid, startTime: here.startTime + 1)
        prepared.record.command = "sleep 600"
        try store.updatePrepared(prepared)
        try store.publishRun(prepared)
        let external = try store.createExternalRun(version: nil, by: owner)
        let lostID = prepared.id
        try await server.run { api in
            let alice = try await server.token("alice")
            let lost = try await api.request(.get, "/projects/onco/runs/\(lostID)", token: alice)
            #expect(lost.json["state"] as? String == "lost")
            #expect(lost.json["console_sha256"] as? String == (try RunFixture.sha256sum(server.root + "/onco/runs/\(lostID)/console.log")))
            #expect(try RunFixture.consoleLines(server.root, run: lostID.rawValue).last?["stream"] as? String == "system")
            #expect(try await api.request(.get, "/projects/onco/runs/\(external.runID)", token: alice).json["state"] as? String == "running")
            let entry = try RunFixture.audit(server.root).last { $0["type"] as? String == "run.lost" }
            #expect(entry?["user"] as? String == "@foundry")
        }
    }
}
