import Foundation

/// How every new version is written, whatever created it.
extension ProjectStore {
    /// A version about to be written: its fields and the facts a record keeps.
    struct PendingVersion {
        var kind: DraftKind
        var fields: [String: FieldEntry]
        var identity: EditorIdentity
        var message: String?
        var lockTokens: [String: Int] = [:]
        var revertedTo: Int?
        var undoOf: Int?
        var redoOf: Int?
    }

    /// Stores `text` as a blob and describes it as field `name`.
    func entry(for name: FieldName, text: String) throws -> FieldEntry {
        let data = Data(text.utf8)
        let format = FieldFormat(fieldName: name.rawValue)
        let hash = try blobs.put(data)
        return FieldEntry(
            sha256: hash, xxh3: Digest.xxh3(data), size: data.count, format: format,
            problem: FieldValidator.problem(in: text, format: format)
        )
    }

    /// Runs `change`, which stores the blobs of `texts` and then commits a
    /// version. When it throws before the version's record exists (the disk
    /// filled up at the record), the blobs it added are removed again, so a
    /// refused change leaves no file behind. Call with the mutex held.
    func discardingNewBlobs<T>(of texts: [String], _ change: () throws -> T) throws -> T {
        let fresh = Set(texts.map { Digest.sha256(Data($0.utf8)) }).filter { !FileIO.exists(layout.blob($0)) }
        let record = layout.draft(try manifest().headVersion + 1)
        do {
            return try change()
        } catch {
            if !FileIO.exists(record) { fresh.forEach(blobs.discard) }
            throw error
        }
    }

    /// Writes version head+1 and moves the manifest to it. Call with the mutex held.
    ///
    /// The record is created exclusively (`link`), so even a writer that
    /// bypassed the mutex could never overwrite a version.
    func commitLocked(_ pending: PendingVersion, now: Date = Date()) throws -> StoredDraft {
        var manifest = try manifest()
        guard manifest.state == .open else { throw StoreError.projectFrozen(id.rawValue) }
        let parent = manifest.headVersion == 0 ? nil : try readDraft(manifest.headVersion)
        let old = parent?.record.fields ?? [:]
        let changed = Set(old.keys).union(pending.fields.keys).filter { old[$0]?.sha256 != pending.fields[$0]?.sha256 }.sorted()
        let version = manifest.headVersion + 1
        let record = DraftRecord(
            projectID: id.rawValue, versionNumber: version, label: DraftRecord.label(for: version),
            parentID: parent?.id, kind: pending.kind, authorID: pending.identity.user,
            sessionID: pending.identity.session, createdAt: Timestamp.string(from: now),
            message: pending.message, fields: pending.fields, changed: changed,
            delta: Dictionary(uniqueKeysWithValues: changed.map { ($0, FieldDelta(old: old[$0], new: pending.fields[$0])) }),
            lockTokens: pending.lockTokens, revertedTo: pending.revertedTo,
            undoOf: pending.undoOf, redoOf: pending.redoOf
        )
        let data = try CanonicalJSON.encode(record)
        try FileIO.makeDirectory(layout.drafts)
        guard try FileIO.createExclusively(data, at: layout.draft(version)) else {
            throw StoreError.conflict("version \(version) was written by another process; retry")
        }
        let stored = StoredDraft(id: Digest.sha256(data), record: record)
        manifest.headVersion = version
        manifest.currentDraftID = stored.id
        // From here on the version exists. The manifest's head only caches the
        // newest record (`manifest()` reads past it, the next start rewrites
        // it), so a full disk refusing the new manifest must not turn this
        // into an error saying nothing was saved (the audit line has its room
        // reserved by `ProjectMutex.change`), and a crash losing the rename is
        // harmless (members and state are unchanged): no directory fsync.
        try? writeManifest(manifest, syncingDirectory: false)
        try audit.appendLocked(Self.auditEvent(for: stored), now: now)
        return stored
    }

    /// The audit entry of a version: who, which record, what changed and by how much.
    static func auditEvent(for draft: StoredDraft, recoveredLate: Bool = false) -> AuditEvent {
        let record = draft.record
        var data: [String: JSONValue] = [
            "draft_id": .string(draft.id), "label": .string(record.label), "kind": .string(record.kind.rawValue),
            "changed": .array(record.changed.map(JSONValue.string)), "message": record.message.json,
            "delta": .object(record.delta.mapValues { delta in
                .object([
                    "change": .string(delta.change.rawValue), "old_sha256": delta.oldSHA256.json,
                    "old_size": delta.oldSize.map(JSONValue.int) ?? .null, "new_size": delta.newSize.map(JSONValue.int) ?? .null,
                ])
            }),
            "new_sha256": .object(Dictionary(uniqueKeysWithValues: record.changed.map { ($0, (record.fields[$0]?.sha256).json) })),
            "lock_tokens": .object(record.lockTokens.mapValues(JSONValue.int)),
        ]
        if let target = record.revertedTo ?? record.undoOf ?? record.redoOf { data["of_version"] = .int(target) }
        if recoveredLate { data["recorded_at_recovery"] = .bool(true) }
        return AuditEvent(.draft(record.kind), by: EditorIdentity(user: record.authorID, session: record.sessionID), version: record.versionNumber, data: data)
    }

    func writeManifest(_ manifest: ProjectManifest, syncingDirectory: Bool = true) throws {
        try FileIO.replace(try CanonicalJSON.encode(manifest), at: layout.manifest, syncingDirectory: syncingDirectory)
    }
}
