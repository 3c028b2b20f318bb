import Foundation
import Testing
@testable import FoundryStore

@Suite("Group commit")
struct GroupCommitTests {
    /// A file with a line appended, as an audit append leaves it.
    private func appendedFile(_ directory: TemporaryDirectory, _ name: String) throws -> String {
        let path = directory.path + "/" + name
        if !FileManager.default.fileExists(atPath: path) { #expect(FileManager.default.createFile(atPath: path, contents: nil)) }
        let handle = try #require(FileHandle(forWritingAtPath: path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("line\n".utf8))
        try handle.close()
        return path
    }

    @Test("Plans submitted while a round is held share one round; its tickets are answered together", arguments: [
        FlushOrdering.portable(fileSystem: "test"), .journalled(fileSystem: "test"),
    ])
    func oneRound(_ ordering: FlushOrdering) throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let commit = GroupCommit(ordering: ordering)
        commit.hold()
        var tickets: [FlushTicket] = []
        for index in 0..<20 {
            let file = try appendedFile(directory, "audit-\(index % 5).jsonl")
            tickets.append(commit.submit(FlushPlan(directories: [directory.path], files: [file])))
        }
        #expect(Set(tickets.map(\.round)).count == 1, "every plan waits for the same round")
        #expect(!tickets.contains { commit.isDone($0) })
        commit.release()
        for ticket in tickets { try ticket.wait() }
        #expect(commit.statistics.rounds == 1)
        // Portable: the directory, then the 5 files; journalled: the 5 files (they come after the names in the journal).
        #expect(commit.statistics.paths == (ordering.isJournalled ? 5 : 6))
    }

    @Test("A later ticket is never answered before an earlier one")
    func inOrder() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let commit = GroupCommit(ordering: .portable(fileSystem: "test"))
        var tickets: [FlushTicket] = []
        for index in 0..<50 {
            tickets.append(commit.submit(FlushPlan(files: [try appendedFile(directory, "audit-\(index).jsonl")])))
        }
        #expect(tickets.map(\.round) == tickets.map(\.round).sorted())
        for (index, ticket) in tickets.enumerated().reversed() {
            try await ticket.durable()
            #expect(tickets[...index].allSatisfy { commit.isDone($0) }, "ticket \(index) answered before an earlier one")
        }
        #expect(commit.statistics.rounds <= 50)
    }

    @Test("A round whose flush fails answers each of its tickets with the error; the next round is flushed anew")
    func failure() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let commit = GroupCommit(ordering: .portable(fileSystem: "test"))
        commit.hold()
        // fsync(2) of a /proc file fails with EINVAL.
        let failing = commit.submit(FlushPlan(files: ["/proc/self/status"]))
        let sharing = commit.submit(FlushPlan(files: [try appendedFile(directory, "a.jsonl")]))
        commit.release()
        #expect(throws: StoreError.self) { try failing.wait() }
        #expect(throws: StoreError.self) { try sharing.wait() }
        try commit.submit(FlushPlan(files: [try appendedFile(directory, "b.jsonl")])).wait()
    }

    @Test("Changes of one project submitted while a round is held are decided one by one and flushed in one round")
    func changesShareRounds() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        try store.locks.acquire(field("system_prompt"), for: alice, ttl: 60)
        // The project's own group commit is shared by every test on this file system: use a private one.
        let commit = GroupCommit(ordering: store.groupCommit.ordering)
        commit.hold()
        var pending: [Pending<AuditEntry>] = []
        for index in 0..<10 {
            pending.append(store.mutex.commit(auditedIn: store.audit, via: commit) { writes in
                try store.audit.appendLocked(AuditEvent(.socketConnected, by: alice, data: ["connection": .string("c\(index)")]), to: writes)
            })
        }
        commit.release()
        let entries = try pending.map { try $0.wait() }
        #expect(entries.map(\.seq) == Array(entries[0].seq..<(entries[0].seq + 10)), "one sequence, in submission order")
        #expect(commit.statistics.rounds == 1)
        #expect(try Verifier(workspace: Workspace(root: directory.path)).verify().isClean)
    }
}
