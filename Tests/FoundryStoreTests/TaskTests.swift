import Foundation
import Testing
@testable import FoundryStore

@Suite("Tasks: checklist items as event records")
struct TaskTests {
    static func project() throws -> (TemporaryDirectory, ProjectStore) {
        let (directory, _, store) = try makeProject()
        _ = try store.setMember("bob", role: .reviewer, by: alice)
        return (directory, store)
    }

    @Test("Create, tick, untick, edit, delete: one record each, history kept, state is the fold")
    func lifecycle() throws {
        let (directory, store) = try Self.project()
        defer { directory.cleanup() }
        let created = try store.createTask(NewTask(title: "  Fix JSON schema ", assignee: "bob", link: TaskLinkRequest(field: field("system_prompt"), lineStart: 2)), by: alice)
        #expect(created.id == "t-1")
        #expect(created.title == "Fix JSON schema")
        #expect(created.link == TaskLink(field: "system_prompt", version: 1, lineStart: 2, lineEnd: 2))
        #expect(try store.updateTask("t-1", TaskChange(done: true), by: bob).done)
        #expect(try !store.updateTask("t-1", TaskChange(done: false), by: bob).done)
        let unchanged = try store.updateTask("t-1", TaskChange(title: "Fix JSON schema", done: false, assignee: .some("bob")), by: bob)
        #expect(unchanged.lastSequence == 3)
        let edited = try store.updateTask("t-1", TaskChange(title: "Fix the schema", done: true, assignee: .some(nil), link: .some(nil)), by: bob)
        #expect(edited.title == "Fix the schema")
        #expect(edited.done)
        #expect(edited.assignee == nil)
        #expect(edited.link == nil)
        let second = try store.createTask(NewTask(title: "Second"), by: bob)
        #expect(second.id == "t-5")
        let deleted = try store.deleteTask("t-1", by: alice)
        #expect(deleted.deleted)

        let item = try store.task("t-1")
        #expect(item.events.map(\.record.event) == [.created, .done, .undone, .updated, .deleted])
        #expect(item.events[3].record.changed == ["title", "assignee", "link", "done"])
        #expect(item.title == "Fix the schema")
        #expect(try store.allTasks().map(\.id) == ["t-1", "t-5"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: store.layout.tasks).count == 6)

        let types = try store.audit.entries().compactMap(\.entry).filter { $0.type.rawValue.hasPrefix("task.") }.map(\.type)
        #expect(types == [.taskCreated, .taskDone, .taskUndone, .taskUpdated, .taskCreated, .taskDeleted])
    }

    @Test("A task linked to lines follows them through later saves, or is outdated where they change; a whole-field link has no position")
    func linkFollowsLines() throws {
        let (directory, store) = try Self.project()
        defer { directory.cleanup() }
        let lines = try store.createTask(NewTask(title: "check line 2", link: TaskLinkRequest(field: field("system_prompt"), lineStart: 2)), by: alice)
        let whole = try store.createTask(NewTask(title: "whole prompt", link: TaskLinkRequest(field: field("system_prompt"))), by: alice)
        #expect(try store.linkPositions(of: [lines, whole]) == [lines.id: .at(version: 1, lines: 2...2)])
        try lockAndSave(store, "system_prompt", "added on top\nline 1\nline 2\n", as: alice)                 // v2
        #expect(try store.linkPositions(of: [lines])[lines.id] == .at(version: 2, lines: 3...3))
        try lockAndSave(store, "system_prompt", "added on top\nline 1\nline two\n", as: alice)               // v3
        #expect(try store.linkPositions(of: [lines])[lines.id] == .outdated(in: 3))
        #expect(try store.linkPositions(of: [lines], at: 2)[lines.id] == .at(version: 2, lines: 3...3))
    }

    @Test("Unknown and deleted ids, non-members, bad links and blank titles are refused and write nothing")
    func badInput() throws {
        let (directory, store) = try Self.project()
        defer { directory.cleanup() }
        _ = try store.createTask(NewTask(title: "gone"), by: alice)
        _ = try store.deleteTask("t-1", by: alice)
        let before = try snapshot(directory.path)
        #expect(throws: StoreError.taskNotFound("t-9")) { try store.updateTask("t-9", TaskChange(done: true), by: alice) }
        #expect(throws: StoreError.taskNotFound("t-9")) { try store.deleteTask("t-9", by: alice) }
        #expect(throws: StoreError.taskDeleted("t-1")) { try store.updateTask("t-1", TaskChange(done: true), by: alice) }
        #expect(throws: StoreError.taskDeleted("t-1")) { try store.deleteTask("t-1", by: alice) }
        #expect(throws: StoreError.invalidArgument("the assignee 'zed' is not a member of project 'onco'")) {
            try store.createTask(NewTask(title: "x", assignee: "zed"), by: alice)
        }
        #expect(throws: StoreError.invalidArgument("the task's title is empty")) { try store.createTask(NewTask(title: "  "), by: alice) }
        #expect(throws: StoreError.fieldNotFound(field: "nope", version: 1)) {
            try store.createTask(NewTask(title: "x", link: TaskLinkRequest(field: field("nope"))), by: alice)
        }
        #expect(throws: StoreError.versionNotFound(project: "onco", version: 3)) {
            try store.createTask(NewTask(title: "x", link: TaskLinkRequest(field: field("system_prompt"), version: 3)), by: alice)
        }
        #expect(throws: StoreError.invalidRange(field: "system_prompt", version: 1, lineStart: nil, lineEnd: 2, lineCount: 2)) {
            try store.createTask(NewTask(title: "x", link: TaskLinkRequest(field: field("system_prompt"), lineEnd: 2)), by: alice)
        }
        #expect(throws: StoreError.invalidRange(field: "system_prompt", version: 1, lineStart: 3, lineEnd: 3, lineCount: 2)) {
            try store.createTask(NewTask(title: "x", link: TaskLinkRequest(field: field("system_prompt"), lineStart: 3)), by: alice)
        }
        #expect(try snapshot(directory.path) == before)
    }

    @Test("A frozen project refuses task changes")
    func frozen() throws {
        let (directory, store) = try Self.project()
        defer { directory.cleanup() }
        _ = try store.createTask(NewTask(title: "x"), by: alice)
        var manifest = try store.manifest()
        manifest.state = .frozen
        try store.writeManifest(manifest)
        let before = try snapshot(directory.path)
        #expect(throws: StoreError.projectFrozen("onco")) { try store.createTask(NewTask(title: "y"), by: alice) }
        #expect(throws: StoreError.projectFrozen("onco")) { try store.updateTask("t-1", TaskChange(done: true), by: alice) }
        #expect(throws: StoreError.projectFrozen("onco")) { try store.deleteTask("t-1", by: alice) }
        #expect(try snapshot(directory.path) == before)
    }
}

@Suite("Scratchpad and verification of annotation records")
struct ScratchpadAndVerifyTests {
    @Test("The scratchpad is a field: versioned, attributed, absent until first saved")
    func scratchpad() throws {
        let (directory, _, store) = try makeProject()
        defer { directory.cleanup() }
        #expect(try store.scratchpad() == Scratchpad(version: 1, draftID: try store.draft(1).id, text: ""))
        try lockAndSave(store, "scratchpad", "try temperature 0\n", as: bob)                       // v2
        try lockAndSave(store, "system_prompt", "x\n", as: alice)                                    // v3
        let notes = try store.scratchpad()
        #expect(notes.version == 3)
        #expect(notes.text == "try temperature 0\n")
        #expect(notes.updatedIn == 2)
        #expect(notes.authorID == "bob")
        #expect(try store.scratchpad(at: 1).text == "")
        #expect(try store.draft(2).record.changed == ["scratchpad"])
        #expect(throws: StoreError.versionNotFound(project: "onco", version: 4)) { try store.scratchpad(at: 4) }
    }

    @Test("verify: clean records pass; a gap, an unreadable record, an orphan and a record without audit entry are damage naming the file")
    func verify() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        _ = try store.createComment(NewComment(version: 1, field: field("system_prompt"), lineStart: 1, lineEnd: 2, text: "a"), by: alice)
        _ = try store.reply(to: "c-1", text: "b", by: alice)
        _ = try store.createTask(NewTask(title: "t"), by: alice)
        var report = try Verifier(workspace: workspace).verify()
        #expect(report.isClean, "\(report.findings)")
        #expect(report.annotationsChecked == 3)

        let third = store.layout.annotation(.comments, 3)
        let orphan = CommentEvent(projectID: "onco", sequence: 3, commentID: "c-9", event: .resolved, authorID: "mallory", sessionID: "s", createdAt: "2026-01-01T00:00:00.000Z")
        try CanonicalJSON.encode(orphan).write(to: URL(fileURLWithPath: third))
        report = try Verifier(workspace: workspace).verify()
        #expect(report.damage.map(\.path) == [third, third])
        #expect(report.damage.contains { $0.message.contains("c-9, which no earlier record creates") })
        #expect(report.damage.contains { $0.message.contains("has no audit entry") })

        try FileManager.default.removeItem(atPath: third)
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: store.layout.annotation(.tasks, 2)))
        try FileManager.default.removeItem(atPath: store.layout.annotation(.comments, 1))
        report = try Verifier(workspace: workspace).verify()
        #expect(report.damage.map(\.description).sorted() == [
            "DAMAGE: \(store.layout.annotation(.comments, 2)): record 1 is missing before it",
            "DAMAGE: \(store.layout.annotation(.tasks, 2)): not a readable task record",
        ])
    }

    @Test("A record whose audit entry a crash lost gets one at the next start, marked as recovered")
    func recovery() throws {
        let (directory, workspace, store) = try makeProject()
        defer { directory.cleanup() }
        _ = try store.createTask(NewTask(title: "first"), by: alice)
        let handMade = TaskEvent(projectID: "onco", sequence: 2, taskID: "t-1", event: .done, authorID: "alice", sessionID: "alice-tab-1", createdAt: "2026-01-01T00:00:00.000Z")
        try CanonicalJSON.encode(handMade).write(to: URL(fileURLWithPath: store.layout.annotation(.tasks, 2)))
        // The newest record without its entry: what a crash between the record and its line leaves.
        let report = try Verifier(workspace: workspace).verify()
        #expect(report.isClean && report.findings.map(\.state) == [.unauditedAnnotation], "\(report.findings)")
        let repairs = try workspace.recover()
        #expect(repairs == ["onco: audit entry added for tasks/000002.json"])
        #expect(try Verifier(workspace: workspace).verify().isClean)
        let entry = try #require(try store.audit.entries().last?.entry)
        #expect(entry.type == .taskDone)
        #expect(entry.data["recorded_at_recovery"] == .bool(true))
        #expect(try workspace.recover().isEmpty)
    }
}
