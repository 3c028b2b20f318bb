import Foundation
import Synchronization

/// One project directory: its manifest, versions, blobs and locks.
///
/// All methods are synchronous and may block on disk I/O; callers on an
/// event loop or the concurrency pool run them on a thread pool. The type is
/// safe to share: changes are serialized by the project's `flock` mutex
/// (across processes too) and made durable by the file system's group
/// commit; what it keeps in memory are caches, each checked against the
/// file it came from before use (draft records, the manifest, the newest
/// version seen, the audit trail's tail).
public final class ProjectStore: Sendable {
    public let id: ProjectID
    public let layout: ProjectLayout
    public let blobs: BlobStore
    public let locks: LockTable
    public let audit: AuditLog
    /// Comment threads and checklist items: `comments/`, `tasks/`.
    public let comments: AnnotationLog<CommentEvent>
    public let tasks: AnnotationLog<TaskEvent>
    /// Electronic signatures: `signatures/`.
    public let signatures: AnnotationLog<SignatureRecord>
    let mutex: ProjectMutex
    /// The flushes of this project's changes, shared with every project on the same file system.
    let groupCommit: GroupCommit
    private let drafts = Mutex<[Int: CachedDraft]>([:])
    let storedManifests: ManifestCache
    /// The newest version this process wrote or saw: `project.json` only
    /// caches the head, and saves do not rewrite it.
    private let newestSeen = Mutex(0)

    /// A parsed record and the identity of the file it came from. A record
    /// never changes, but a project directory can be replaced by another
    /// process (restored from backup, re-imported); a `stat` per read makes
    /// sure a cached record still describes the file on disk.
    private struct CachedDraft {
        var file: FileIdentity
        var draft: StoredDraft
    }

    /// The server key that signs this project's signatures and checkpoints (`nil`: this store cannot sign).
    public let notary: Notary?

    public init(layout: ProjectLayout, id: ProjectID, notary: Notary? = nil) {
        self.id = id
        self.layout = layout
        self.notary = notary
        self.blobs = BlobStore(layout: layout)
        self.mutex = ProjectMutex(path: layout.mutex)
        self.audit = AuditLog(path: layout.audit, observer: notary.map { CheckpointTrigger(notary: $0, layout: layout, project: id) })
        self.groupCommit = .forFileSystem(of: layout.directory)
        self.storedManifests = ManifestCache(path: layout.manifest)
        self.locks = LockTable(layout: layout, mutex: mutex, audit: audit, groupCommit: groupCommit, manifests: storedManifests)
        self.comments = AnnotationLog(layout: layout)
        self.tasks = AnnotationLog(layout: layout)
        self.signatures = AnnotationLog(layout: layout)
    }

    /// The manifest with its head brought forward to the newest draft record
    /// on disk: `project.json` caches the head only (saves leave it as it
    /// is; a member change, the freeze and the server's start rewrite it).
    public func manifest() throws -> ProjectManifest {
        var manifest = try storedManifest()
        var head = manifest.headVersion
        let seen = newestSeen.withLock { $0 }
        // A version never disappears, unless the project was replaced (restored from a backup).
        if seen > head, FileIO.exists(layout.draft(seen)) { head = seen }
        while FileIO.exists(layout.draft(head + 1)) { head += 1 }
        if head != manifest.headVersion {
            manifest.headVersion = head
            manifest.currentDraftID = try draft(head).id
            noteVersion(head)
        }
        return manifest
    }

    /// `project.json` as stored (see `ManifestCache`).
    func storedManifest() throws -> ProjectManifest {
        guard let manifest = try storedManifests.read() else { throw StoreError.projectNotFound(id.rawValue) }
        return manifest
    }

    /// Remembers that version `version` exists.
    func noteVersion(_ version: Int) {
        newestSeen.withLock { $0 = max($0, version) }
    }

    public func headVersion() throws -> Int {
        try manifest().headVersion
    }

    /// The head version's draft, or `nil` for a project with no version yet.
    public func head() throws -> StoredDraft? {
        let version = try headVersion()
        return version == 0 ? nil : try draft(version)
    }

    /// Version `version`'s record and id, cached while its file is unchanged.
    public func draft(_ version: Int) throws -> StoredDraft {
        let path = layout.draft(version)
        guard version >= 1, let file = FileIdentity(path: path) else {
            throw StoreError.versionNotFound(project: id.rawValue, version: version)
        }
        if let cached = drafts.withLock({ $0[version] }), cached.file == file { return cached.draft }
        let stored = try readDraft(version)
        drafts.withLock { $0[version] = CachedDraft(file: file, draft: stored) }
        return stored
    }

    /// Version `version` read and hashed from disk, bypassing the cache.
    func readDraft(_ version: Int) throws -> StoredDraft {
        let path = layout.draft(version)
        guard version >= 1, let data = try FileIO.read(path) else {
            throw StoreError.versionNotFound(project: id.rawValue, version: version)
        }
        return StoredDraft(id: Digest.sha256(data), record: try CanonicalJSON.decode(DraftRecord.self, from: data, path: path))
    }

    /// Versions newest first, below `before` (exclusive; default: all), at most `limit`.
    public func history(before: Int? = nil, limit: Int) throws -> [StoredDraft] {
        let newest = min(try headVersion(), (before ?? Int.max) - 1)
        guard newest >= 1, limit > 0 else { return [] }
        return try stride(from: newest, through: max(1, newest - limit + 1), by: -1).map(draft)
    }

    /// The bytes of `field` in `version`.
    public func content(of field: FieldName, in version: Int) throws -> Data {
        guard let entry = try draft(version).record.fields[field.rawValue] else {
            throw StoreError.fieldNotFound(field: field.rawValue, version: version)
        }
        return try blobs.get(entry.sha256)
    }

    /// Every field of `version` with its text.
    public func contents(of version: Int) throws -> [String: String] {
        try draft(version).record.fields.mapValues { String(decoding: try blobs.get($0.sha256), as: UTF8.self) }
    }
}
