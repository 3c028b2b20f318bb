import Foundation
@testable import FoundryWatch
import Testing

/// Runs seen by a hub that starts mid-run, and runs changed while watcher events were lost.
@Suite("Runs across hub start and lost events")
struct RunResyncTests {
    static func append(_ api: APIClient, _ run: String, _ text: String, stream: String = "stdout") async throws {
        let alice = try await api.server.token("alice")
        let response = try await api.request(.post, "/projects/onco/runs/\(run)/output", token: alice, json: ["stream": stream, "text": text])
        #expect(response.status == .ok, "\(response.text)")
    }

    @Test("The first socket of a project joining mid-run gets the console so far as backlog, then live lines")
    func hubStartsMidRun() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            try await RunFixture.project(api)
            let run = try #require(try await RunFixture.start(api, ["external": true]).json["run_id"] as? String)
            for index in 0..<3 { try await Self.append(api, run, "early \(index)\n") }
            let (bob, snapshot) = try await RunFixture.socket(api, "bob")
            defer { bob.close() }
            let size = try FileManager.default.attributesOfItem(atPath: server.root + "/onco/runs/\(run)/console.log")[.size] as? Int
            #expect(snapshot?["runs"]?.array.first?["console_offset"]?.int == size)
            try await Self.append(api, run, "live\n", stream: "stderr")
            #expect(await eventually { RunFixture.lines(bob, run: run).count == 4 })
            let frames = bob.frames.filter { $0.type == "CONSOLE_OUTPUT" }
            #expect(frames.first?["backlog"] == .bool(true))
            #expect(frames.last?["offset"]?.int == size)
            #expect(RunFixture.lines(bob, run: run).map { $0.line["text"]?.string ?? "" } == ["early 0\n", "early 1\n", "early 2\n", "live\n"])
            #expect(!bob.frames.contains { $0.type == "RUN_STARTED" }, "the run started before this hub existed")
        }
    }

    @Test("After an inotify overflow the hub announces the run lines, starts and ends it missed, once, before RESYNC")
    func overflowCatchUp() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try FileManager.default.createDirectory(atPath: server.root, withIntermediateDirectories: true)
        let watcher = try WorkspaceWatcher(root: server.root)
        try await server.run(watcher: watcher) { api in
            try await RunFixture.project(api)
            let (bob, _) = try await RunFixture.socket(api, "bob")
            defer { bob.close() }
            let first = try #require(try await RunFixture.start(api, ["external": true]).json["run_id"] as? String)
            try await Self.append(api, first, "before\n")
            #expect(await eventually { RunFixture.lines(bob, run: first).count == 1 })

            // Overflow the kernel queue first, so that what follows is lost, not merely late.
            await watcher.pause()
            let locks = server.root + "/onco/locks"
            try await blocking { try watcher.overflowQueue(in: locks) }
            for index in 0..<3 { try await Self.append(api, first, "missed \(index)\n") }
            let alice = try await server.token("alice")
            #expect(try await api.request(.post, "/projects/onco/runs/\(first)/finish", token: alice, json: ["exit_status": 1]).status == .ok)
            let second = try #require(try await RunFixture.start(api, ["external": true]).json["run_id"] as? String)
            try await Self.append(api, second, "second\n")
            watcher.resume()

            let resync = try #require(await bob.next("RESYNC"))
            #expect(resync["runs"]?.array.map { $0["run"]?.string } == [second])
            let texts = RunFixture.lines(bob, run: first).map { $0.line["text"]?.string ?? "" }
            #expect(texts == ["before\n", "missed 0\n", "missed 1\n", "missed 2\n"])
            #expect(RunFixture.lines(bob, run: second).map { $0.line["text"]?.string ?? "" } == ["second\n"])
            let finished = bob.frames.filter { $0.type == "RUN_FINISHED" }
            #expect(finished.map { $0["run"]?.string } == [first])
            #expect(finished.allSatisfy { $0.seq! < resync.seq! })
            #expect(bob.frames.filter { $0.type == "RUN_STARTED" }.map { $0["run"]?.string } == [first, second])

            try await Self.append(api, second, "after\n")
            #expect(await eventually { RunFixture.lines(bob, run: second).count == 2 })
            #expect(RunFixture.lines(bob, run: second).last?.frame["offset"]?.int == RunFixture.lines(bob, run: second).first?.frame["end"]?.int)
        }
    }
}
