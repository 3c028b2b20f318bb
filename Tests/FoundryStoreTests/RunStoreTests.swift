import Foundation
@testable import FoundryStore
import Testing

/// Run directories, payloads and consoles on real files.
@Suite("Runs in the store")
struct RunStoreTests {
    @Test("A prepared run is invisible until published; ids are reserved; the payload is read-only and hashed")
    func prepareAndPublish() throws {
        let (directory, _, store) = try makeProject(["system_prompt": "p\n", "tests/bec.jsonl": "{\"id\": 1}\n"])
        defer { directory.cleanup() }
        let first = try store.prepareRun(version: nil, by: alice, external: false)
        let second = try store.prepareRun(version: 1, by: bob, external: true)
        #expect(first.id.rawValue == "run-000001")
        #expect(second.id.rawValue == "run-000002")
        #expect(try store.runs().isEmpty)
        #expect(try FileIO.list(store.layout.runs).allSatisfy { $0.hasPrefix(FileIO.tempPrefix) })

        try store.publishRun(first)
        let record = try store.runRecord(first.id)
        #expect(record.state == .running)
        #expect(record.draftID == (try store.draft(1).id))
        #expect(record.startedBy == "alice")
        let payload = first.final.payload
        #expect(try String(contentsOfFile: payload + "/tests/bec.jsonl", encoding: .utf8) == "{\"id\": 1}\n")
        #expect((try FileManager.default.attributesOfItem(atPath: payload + "/system_prompt")[.posixPermissions] as? Int) == 0o444)
        let manifest = try JSONDecoder().decode(RunPayloadManifest.self, from: try Data(contentsOf: URL(fileURLWithPath: first.final.payloadManifest)))
        #expect(manifest.fields["system_prompt"]?.sha256 == (try Digest.sha256(fileAt: payload + "/system_prompt")))
        #expect(record.payloadSHA256 == (try Digest.sha256(fileAt: first.final.payloadManifest)))
        #expect(try store.audit.entries().last?.entry?.type == .runStarted)

        store.discard(second)
        #expect(try FileIO.list(store.layout.runs) == ["run-000001"])
        #expect(try store.prepareRun(version: nil, by: alice, external: true).id.rawValue == "run-000002")
    }

    @Test("A version with a field that does not parse is not exported, and nothing is left behind")
    func invalidContent() throws {
        let (directory, _, store) = try makeProject(["model_config.json": "{\"a\": 1,}\n"])
        defer { directory.cleanup() }
        #expect {
            try store.prepareRun(version: nil, by: alice, external: true)
        } throws: { error in
            guard case .invalidContent(let field, let version, let problem) = error as? StoreError else { return false }
            return field == "model_config.json" && version == 1 && problem.line == 1
        }
        #expect(try FileIO.list(store.layout.runs).isEmpty)
    }

    @Test("Console reads stop at the last complete line; plain-text lines read as stdout; big reads come in pieces")
    func consoleReads() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let path = directory.path + "/console.log"
        let writer = try ConsoleWriter(path: path)
        try writer.append(ConsoleLine(ts: "t1", stream: .stdout, text: "one\n"))
        try writer.append(ConsoleLine(ts: "t2", stream: .stderr, text: "two\n"))
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("plain text\npartial".utf8))
        try handle.close()

        let chunk = try ConsoleLog.read(path, from: 0)
        #expect(chunk.entries.map(\.line.text) == ["one\n", "two\n", "plain text\n"])
        #expect(chunk.entries.map(\.line.stream) == [.stdout, .stderr, .stdout])
        #expect(chunk.to == writer.size + "plain text\n".utf8.count)
        #expect(!chunk.hasMore)
        #expect(zip(chunk.entries, chunk.entries.dropFirst()).allSatisfy { $0.offset + $0.size == $1.offset })

        let small = try ConsoleLog.read(path, from: 0, maxBytes: 10)
        #expect(small.entries.count == 1, "a line longer than the window is still read whole")
        #expect(small.hasMore)
        let rest = try ConsoleLog.read(path, from: small.to)
        #expect(rest.entries.map(\.line.text) == ["two\n", "plain text\n"])

        let tail = try ConsoleLog.tail(path, budget: 20)
        #expect(tail.entries.map(\.line.text) == ["plain text\n"])
        #expect(tail.to == chunk.to)

        let (bytes, sha256) = try ConsoleLog.seal(path)
        #expect(bytes == (try ConsoleLog.size(path)))
        #expect(sha256 == (try Digest.sha256(fileAt: path)))
    }

    @Test("HTTP output past the cap is discarded once with a system line; a finished run refuses more and keeps its console")
    func appendCapAndFinish() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        let run = try RunID(try store.createExternalRun(version: nil, by: alice).runID)
        let first = try store.appendOutput(run, stream: .stdout, text: "hello\n", by: alice, cap: 200)
        #expect(first.offset == 0 && !first.truncated)
        let over = try store.appendOutput(run, stream: .stdout, text: String(repeating: "x", count: 300), by: alice, cap: 200)
        #expect(over.truncated)
        let after = try store.appendOutput(run, stream: .stdout, text: "more\n", by: alice, cap: 200)
        #expect(after.truncated && after.nextOffset == over.nextOffset)
        let lines = try ConsoleLog.read(store.layout.run(run).console, from: 0).entries.map(\.line)
        #expect(lines.map(\.stream) == [.stdout, .system])
        #expect(lines.first?.user == "alice")

        let record = try store.finishRun(run, outcome: RunOutcome(exitStatus: 2), by: bob)
        #expect(record.state == .failed && record.truncated)
        #expect(record.consoleSHA256 == (try Digest.sha256(fileAt: store.layout.run(run).console)))
        let sealed = try Digest.sha256(fileAt: store.layout.run(run).console)
        #expect(throws: StoreError.runFinished(run: run.rawValue, state: "failed")) {
            try store.appendOutput(run, stream: .stdout, text: "late\n", by: alice, cap: 200)
        }
        #expect(try Digest.sha256(fileAt: store.layout.run(run).console) == sealed)
        #expect(try store.audit.entries().last?.entry?.user == "bob")
    }
}
