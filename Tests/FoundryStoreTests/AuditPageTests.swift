import Foundation
import Testing
@testable import FoundryStore

@Suite("Audit pages read from where they start")
struct AuditPageTests {
    /// The page `query` asks for, computed the slow way: every entry read and filtered.
    private func naive(_ query: AuditQuery, _ entries: [AuditEntry]) -> AuditPage {
        let matching = entries.filter(query.matches)
        let ordered = query.newestFirst ? matching.reversed() : matching
        let page = Array(ordered.prefix(query.limit))
        let more = ordered.count > query.limit
        return query.newestFirst
            ? AuditPage(entries: page, nextBefore: more ? page.last?.seq : nil)
            : AuditPage(entries: page, nextAfter: more ? page.last?.seq : nil)
    }

    /// `count` entries by three users, socket and lock types mixed.
    private func append(_ count: Int, to store: ProjectStore, tag: String) throws {
        let users = [alice, bob, EditorIdentity(user: "carol", session: "c")]
        var last: Pending<AuditEntry>?
        for index in 0..<count {
            let type: AuditEventType = index % 7 == 0 ? .lockDenied : (index % 2 == 0 ? .socketConnected : .socketDisconnected)
            last = store.submitRecord(AuditEvent(type, by: users[index % 3], data: ["n": .string("\(tag)-\(index)")]))
        }
        _ = try last?.wait()
    }

    /// 126 queries crossing every kind of cursor near the index's checkpoints (every 64th line) and the ends, each filter, both orders.
    private func queries(_ total: Int) -> [AuditQuery] {
        let afters = [0, 1, 63, 64, 65, total - 3, total + 5]
        let befores: [Int?] = [nil, 1, 2, 64, 129, total, total + 1]
        let types: [String?] = [nil, "lock", "socket.connected"]
        return (0..<126).map { index in
            AuditQuery(
                user: index % 5 == 0 ? "bob" : nil, type: types[(index / 3) % 3], after: afters[index % 7],
                before: befores[(index / 7) % 7], limit: [1, 7, 40][index % 3], newestFirst: index % 2 == 0
            )
        }
    }

    @Test("Every page equals the one found by reading the whole trail: oldest and newest first, cursors, filters; after another writer appends; after the file is replaced")
    func pagesMatchAFullRead() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        try append(700, to: store, tag: "a")
        let log = store.audit
        var entries = try log.entries().compactMap(\.entry)
        for query in queries(entries.count) { #expect(try log.page(query) == naive(query, entries), "\(query)") }

        // Another process appends (a store of its own): the index this log keeps is extended, not trusted.
        try append(150, to: ProjectStore(layout: store.layout, id: store.id), tag: "b")
        entries = try log.entries().compactMap(\.entry)
        for query in queries(entries.count) { #expect(try log.page(query) == naive(query, entries), "\(query)") }

        // The file replaced by a shorter copy (restored from a backup): a new file, read anew.
        let copy = directory.path + "/audit-copy.jsonl"
        let lines = try String(contentsOfFile: log.path, encoding: .utf8).split(separator: "\n").prefix(300)
        try (lines.joined(separator: "\n") + "\n").write(toFile: copy, atomically: false, encoding: .utf8)
        #expect(rename(copy, log.path) == 0)
        entries = try log.entries().compactMap(\.entry)
        #expect(entries.count == 300)
        for query in queries(300) { #expect(try log.page(query) == naive(query, entries), "\(query)") }
    }

    @Test("A torn last line is not an entry: the newest page starts at the last complete line")
    func tornTail() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        try append(20, to: store, tag: "t")
        let complete = try #require(try store.audit.entries().last?.entry)
        let handle = try #require(FileHandle(forWritingAtPath: store.audit.path))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(#"{"data":{"n":"cut sh"#.utf8))
        try handle.close()
        let newest = try store.audit.page(AuditQuery(limit: 3, newestFirst: true))
        #expect(newest.entries.first == complete)
        #expect(newest.entries.map(\.seq) == [complete.seq, complete.seq - 1, complete.seq - 2])
        let last = try store.audit.page(AuditQuery(after: complete.seq - 1, limit: 10))
        #expect(last.entries == [complete])
        #expect(last.nextAfter == nil)
    }
}
