import Foundation
import Testing
@testable import FoundryStore

@Suite("Comments: records, folding and anchors that follow their lines")
struct CommentTests {
    static let prompt = (1...10).map { "line \($0)\n" }.joined()

    static func project() throws -> (TemporaryDirectory, ProjectStore) {
        let (directory, _, store) = try makeProject(["system_prompt": prompt, "model_config.json": "{}\n"])
        return (directory, store)
    }

    static func comment(_ store: ProjectStore, version: Int = 1, lines: ClosedRange<Int> = 4...6, text: String = "why these lines?") throws -> FoundryStore.Comment {
        try store.createComment(NewComment(version: version, field: field("system_prompt"), lineStart: lines.lowerBound, lineEnd: lines.upperBound, text: text), by: bob)
    }

    @Test("Each event is one immutable record; the thread is their fold; the audit names file and hash")
    func lifecycle() throws {
        let (directory, store) = try Self.project()
        defer { directory.cleanup() }
        let created = try Self.comment(store)
        #expect(created.id == "c-1")
        #expect(created.anchor == CommentAnchor(version: 1, draftID: try store.draft(1).id, field: "system_prompt", lineStart: 4, lineEnd: 6))
        let replied = try store.reply(to: "c-1", text: "to be clear", by: alice)
        #expect(replied.replies.map(\.id) == ["r-2"])
        let resolved = try store.resolveComment("c-1", by: alice)
        #expect(resolved.state == .resolved)
        #expect(resolved.stateChangedBy == "alice")
        #expect(throws: StoreError.conflict("comment c-1 is already resolved")) { try store.resolveComment("c-1", by: alice) }
        let reopened = try store.reopenComment("c-1", by: bob)
        #expect(reopened.state == .open)
        #expect(throws: StoreError.self) { try store.reopenComment("c-1", by: bob) }
        #expect(throws: StoreError.commentNotFound("c-9")) { try store.resolveComment("c-9", by: bob) }

        let names = try FileManager.default.contentsOfDirectory(atPath: store.layout.comments).sorted()
        #expect(names == ["000001.json", "000002.json", "000003.json", "000004.json"])
        let folded = try store.comment("c-1")
        #expect(folded == reopened)
        #expect(folded.events.map(\.record.event) == [.created, .replied, .resolved, .reopened])
        #expect(folded.events.map(\.record.authorID) == ["bob", "alice", "alice", "bob"])

        let entries = try store.audit.entries().compactMap(\.entry).filter { $0.type.rawValue.hasPrefix("comment.") }
        #expect(entries.map(\.type) == [.commentCreated, .commentReplied, .commentResolved, .commentReopened])
        for (index, entry) in entries.enumerated() {
            let path = store.layout.annotation(.comments, index + 1)
            #expect(entry.data["file"]?.string == "comments/00000\(index + 1).json")
            #expect(entry.data["sha256"]?.string == (try Digest.sha256(fileAt: path)))
            #expect(entry.data["comment_id"]?.string == "c-1")
        }
        #expect(entries[0].version == 1)
        #expect(entries[0].data["line_start"]?.int == 4)
        #expect(entries[0].user == "bob")
        #expect(entries[0].session == "bob-tab-1")
        let mode = try FileManager.default.attributesOfItem(atPath: store.layout.annotation(.comments, 1))[.posixPermissions] as? Int
        #expect(mode == 0o644)
    }

    @Test("Lines inserted above shift the anchor; an unrelated field changes nothing; an edit inside outdates it in that version")
    func anchorFollowsSaves() throws {
        let (directory, store) = try Self.project()
        defer { directory.cleanup() }
        let comment = try Self.comment(store)
        try lockAndSave(store, "system_prompt", "header a\nheader b\n" + Self.prompt, as: alice)                    // v2
        #expect(try store.place([comment])[0].position == .at(version: 2, lines: 6...8))
        try lockAndSave(store, "model_config.json", "{\"temperature\": 0}\n", as: alice)                            // v3
        #expect(try store.place([comment])[0].position == .at(version: 3, lines: 6...8))
        let edited = "header a\nheader b\n" + Self.prompt.replacingOccurrences(of: "line 5\n", with: "line five\n")
        try lockAndSave(store, "system_prompt", edited, as: alice)                                                   // v4
        let placed = try store.place([comment])[0]
        #expect(placed.position == .outdated(in: 4))
        #expect(placed.status == "outdated")
        #expect(try store.place([comment], at: 3)[0].position == .at(version: 3, lines: 6...8))
        #expect(try store.place([comment], at: 1)[0].position == .at(version: 1, lines: 4...6))

        let later = try Self.comment(store, version: 4, lines: 1...1, text: "on the header")
        #expect(try store.place([later], at: 2)[0].position == .later)
        try lockAndSave(store, "system_prompt", nil, as: alice)                                                      // v5 removes the field
        #expect(try store.place([later])[0].position == .outdated(in: 5))
        #expect(throws: StoreError.versionNotFound(project: "onco", version: 9)) { try store.place([later], at: 9) }
    }

    @Test("Lines deleted above shift the anchor up; a change right below it does not touch it")
    func deletionsAbove() throws {
        let (directory, store) = try Self.project()
        defer { directory.cleanup() }
        let comment = try Self.comment(store, lines: 5...6)
        let shorter = Self.prompt.replacingOccurrences(of: "line 1\nline 2\n", with: "").replacingOccurrences(of: "line 7\n", with: "seven\n")
        try lockAndSave(store, "system_prompt", shorter, as: alice)
        #expect(try store.place([comment])[0].position == .at(version: 2, lines: 3...4))
        #expect(try store.place([comment])[0].status == "open")
        _ = try store.resolveComment("c-1", by: alice)
        #expect(try store.place([try store.comment("c-1")])[0].status == "resolved")
    }

    @Test("Bad anchors and texts are refused with the reason and write nothing")
    func badInput() throws {
        let (directory, store) = try Self.project()
        defer { directory.cleanup() }
        let before = try snapshot(directory.path)
        func attempt(_ version: Int, _ name: String, _ start: Int, _ end: Int, _ text: String = "x") throws {
            _ = try store.createComment(NewComment(version: version, field: field(name), lineStart: start, lineEnd: end, text: text), by: bob)
        }
        #expect(throws: StoreError.versionNotFound(project: "onco", version: 7)) { try attempt(7, "system_prompt", 1, 1) }
        #expect(throws: StoreError.versionNotFound(project: "onco", version: 0)) { try attempt(0, "system_prompt", 1, 1) }
        #expect(throws: StoreError.fieldNotFound(field: "nope.txt", version: 1)) { try attempt(1, "nope.txt", 1, 1) }
        #expect(throws: StoreError.invalidRange(field: "system_prompt", version: 1, lineStart: 10, lineEnd: 11, lineCount: 10)) { try attempt(1, "system_prompt", 10, 11) }
        #expect(throws: StoreError.invalidRange(field: "system_prompt", version: 1, lineStart: 0, lineEnd: 2, lineCount: 10)) { try attempt(1, "system_prompt", 0, 2) }
        #expect(throws: StoreError.invalidRange(field: "system_prompt", version: 1, lineStart: 5, lineEnd: 4, lineCount: 10)) { try attempt(1, "system_prompt", 5, 4) }
        #expect(throws: StoreError.invalidArgument("the comment is empty")) { try attempt(1, "system_prompt", 1, 1, " \n ") }
        #expect(throws: StoreError.invalidArgument("the comment is longer than 16384 bytes")) { try attempt(1, "system_prompt", 1, 1, String(repeating: "x", count: 16_385)) }
        #expect(throws: StoreError.commentNotFound("c-1")) { try store.reply(to: "c-1", text: "hello", by: bob) }
        #expect(try snapshot(directory.path) == before)
    }

    @Test("A frozen project refuses new comments and replies and writes nothing")
    func frozen() throws {
        let (directory, store) = try Self.project()
        defer { directory.cleanup() }
        _ = try Self.comment(store)
        var manifest = try store.manifest()
        manifest.state = .frozen
        try store.writeManifest(manifest)
        let before = try snapshot(directory.path)
        #expect(throws: StoreError.projectFrozen("onco")) { try Self.comment(store) }
        #expect(throws: StoreError.projectFrozen("onco")) { try store.reply(to: "c-1", text: "x", by: alice) }
        #expect(throws: StoreError.projectFrozen("onco")) { try store.resolveComment("c-1", by: alice) }
        #expect(try snapshot(directory.path) == before)
    }

    @Test("Records of threads never created are ignored by the fold")
    func orphans() throws {
        let (directory, store) = try Self.project()
        defer { directory.cleanup() }
        _ = try Self.comment(store)
        let orphan = CommentEvent(projectID: "onco", sequence: 2, commentID: "c-7", event: .resolved, authorID: "mallory", sessionID: "s", createdAt: "2026-01-01T00:00:00.000Z")
        try CanonicalJSON.encode(orphan).write(to: URL(fileURLWithPath: store.layout.annotation(.comments, 2)))
        #expect(try store.allComments().map(\.id) == ["c-1"])
        #expect(try store.comment("c-1").state == .open)
    }
}
