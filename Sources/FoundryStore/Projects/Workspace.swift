import Foundation
import Synchronization

/// The workspace root: one directory per project (default `./workspaces`).
///
/// Names starting with `.` belong to the server (`.foundry/` holds its
/// secret, `.tmp-*` are half-made projects); every other directory with a
/// `project.json` is a project.
public final class Workspace: Sendable {
    public let root: String
    /// The server key at work here; `nil` for a workspace that cannot sign (readers, tests of other things).
    public let notary: Notary?
    private let stores = Mutex<[ProjectID: ProjectStore]>([:])

    /// Opens (and creates when missing) the root directory; with `signing`,
    /// also the server key (see `Notary`), so that signatures can be made and
    /// audit trails are checkpointed.
    public init(root: String, signing: NotaryOptions? = nil) throws {
        let absolute = root.hasPrefix("/") ? root : FileManager.default.currentDirectoryPath + "/" + root
        let root = (absolute as NSString).standardizingPath
        self.root = root
        try FileIO.makeDirectory(root)
        notary = try signing.map { try Notary.open(root: root, options: $0) }
    }

    /// The directory the server keeps its own files in (the JWT secret, the signing key).
    public var privateDirectory: String { root + "/.foundry" }

    /// The store of an existing project; `projectNotFound` otherwise.
    public func project(_ id: ProjectID) throws -> ProjectStore {
        if let store = stores.withLock({ $0[id] }) { return store }
        let layout = ProjectLayout(root: root, id: id)
        guard FileIO.exists(layout.manifest) else { throw StoreError.projectNotFound(id.rawValue) }
        let store = ProjectStore(layout: layout, id: id, notary: notary)
        return stores.withLock { stores in
            if let existing = stores[id] { return existing }
            stores[id] = store
            return store
        }
    }

    /// The ids of every project directory, sorted.
    public func projectIDs() throws -> [ProjectID] {
        try FileIO.list(root).compactMap { name in
            guard let id = try? ProjectID(name), FileIO.exists(ProjectLayout(root: root, id: id).manifest) else { return nil }
            return id
        }
    }

    /// Creates a project atomically: it is built in a temp directory and
    /// renamed into place, so a crash leaves either no project or a whole one.
    public func createProject(_ request: NewProject, by identity: EditorIdentity, now: Date = Date()) throws -> ProjectStore {
        let name = request.name.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !name.isEmpty, name.count <= 200 else { throw StoreError.invalidArgument("a project needs a name of 1 to 200 characters") }
        let id = request.id ?? ProjectID.generate(from: name)
        let final = ProjectLayout(root: root, id: id)
        guard !FileIO.exists(final.directory) else { throw StoreError.projectExists(id.rawValue) }
        for user in request.members.keys where !ProjectManifest.isValidMemberID(user) {
            throw StoreError.invalidArgument("invalid member id '\(user)': use 1-200 characters not starting with '@'")
        }
        var members = request.members
        members[identity.user] = .owner

        let temp = ProjectLayout(directory: root + "/" + FileIO.tempPrefix + "create-" + id.rawValue + "-" + String(UInt32.random(in: 0...UInt32.max), radix: 36))
        defer { try? FileManager.default.removeItem(atPath: temp.directory) }
        for directory in [temp.directory, temp.drafts, temp.objects, temp.locks] { try FileIO.makeDirectory(directory) }
        let manifest = ProjectManifest(
            id: id.rawValue, name: name, createdAt: Timestamp.string(from: now), createdBy: identity.user,
            state: .open, headVersion: 0, currentDraftID: nil, members: members
        )
        let building = ProjectStore(layout: temp, id: id)
        try building.writeManifest(manifest)
        let blobs = building.stagingBlobs()
        defer { blobs.discard() }
        let fields = try Dictionary(uniqueKeysWithValues: request.fields.map { ($0.rawValue, try blobs.entry(for: $0, text: $1)) })
        if !building.groupCommit.ordering.isJournalled { try blobs.flush() }
        // Everything inside the temp directory is durable before it is renamed into place.
        _ = try building.mutex.commit(auditedIn: building.audit, via: building.groupCommit) { writes in
            try building.audit.appendLocked(AuditEvent(.projectCreated, by: identity, data: ["name": .string(name)]), to: writes, now: now)
            for (user, role) in members.sorted(by: { $0.key < $1.key }) {
                try building.audit.appendLocked(AuditEvent(.memberSet, by: identity, data: ["member": .string(user), "role": .string(role.rawValue), "previous_role": .null]), to: writes, now: now)
            }
            guard !fields.isEmpty else { return }
            let first = try building.commitLocked(.init(kind: request.kind, fields: fields, identity: identity, message: request.message, blobs: blobs), in: writes, now: now)
            var head = manifest
            head.headVersion = first.record.versionNumber
            head.currentDraftID = first.id
            try building.writeManifest(head, in: writes)
        }.wait()
        guard rename(temp.directory, final.directory) == 0 else {
            if errno == EEXIST || errno == ENOTEMPTY { throw StoreError.projectExists(id.rawValue) }
            throw StoreError.system("rename", final.directory)
        }
        try FileIO.syncDirectory(root)
        return try project(id)
    }
}
