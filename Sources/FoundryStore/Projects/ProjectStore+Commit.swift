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
        /// The blobs of its new texts, staged and not yet named.
        var blobs: StagedBlobs?
    }

    /// Stores `text` as a blob at once (durably) and describes it as field
    /// `name`: for a version written outside `ChangeWrites`, with
    /// `commitLocked(_:now:)`.
    func entry(for name: FieldName, text: String) throws -> FieldEntry {
        try blobs.put(Data(text.utf8))
        return FieldEntry(describing: text, as: name)
    }

    /// `commitLocked(_:in:now:)` as a change of its own, durable on return.
    /// Call with the mutex held.
    func commitLocked(_ pending: PendingVersion, now: Date = Date()) throws -> StoredDraft {
        let writes = ChangeWrites(commit: groupCommit)
        defer { writes.discardUnplaced() }
        let stored = try commitLocked(pending, in: writes, now: now)
        try groupCommit.submit(writes.plan).wait()
        return stored
    }

    /// Starts staging the blobs of a change's new texts (`StagedBlobs.entry(for:text:)`).
    func stagingBlobs() -> StagedBlobs {
        StagedBlobs(store: blobs)
    }

    /// Writes version head+1 as part of the change `writes`. Call with the mutex held.
    ///
    /// The order, which is what makes a crash at any point harmless (see
    /// docs/durability.md):
    /// 1. the record and the manifest are staged, and their bytes flushed
    ///    together with the new blobs' (with a journal) or with the new
    ///    blobs' names (without one: their bytes were flushed before the
    ///    mutex was taken, see `StagedBlobs.flush`);
    /// 2. the record gets its name with `link`, which fails if the version
    ///    exists: even a writer that bypassed the mutex could never overwrite
    ///    a version;
    /// 3. without a journal `drafts/` is flushed, so that neither the
    ///    manifest nor the audit line can name a record that is not there;
    /// 4. `project.json` is replaced (its head caches the newest record; a
    ///    failure here does not undo the version) and the audit line appended.
    /// The audit file is flushed by the group commit before the change is acknowledged.
    func commitLocked(_ pending: PendingVersion, in writes: ChangeWrites, now: Date = Date()) throws -> StoredDraft {
        var manifest = try manifest()
        guard manifest.state == .open else { throw StoreError.projectFrozen(id.rawValue) }
        let parent = manifest.headVersion == 0 ? nil : try draft(manifest.headVersion)
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
        let stored = StoredDraft(id: Digest.sha256(data), record: record)
        manifest.headVersion = version
        manifest.currentDraftID = stored.id
        try FileIO.makeDirectory(layout.drafts)
        // Blobs this change named: removed again if the version is not written,
        // so a refused change leaves no file (the mutex is held: no other change used them).
        var named: [String] = []
        let manifestFile: StagedFile
        do {
            if !writes.isJournalled, let blobs = pending.blobs {
                try blobs.flush()  // done before the mutex was taken, by the callers that can
                named = try blobs.link(in: writes)
            }
            let staged = try writes.stage(data, at: layout.draft(version))
            manifestFile = try writes.stage(manifest.canonicalJSON(), at: layout.manifest)
            if writes.isJournalled { pending.blobs?.files.forEach(writes.adopt) }
            try writes.flush()
            if writes.isJournalled, let blobs = pending.blobs { named = try blobs.link(in: writes) }
            guard try writes.link(staged) else {
                throw StoreError.conflict("version \(version) was written by another process; retry")
            }
        } catch {
            for path in named { _ = try? writes.remove(path) }
            throw error
        }
        noteVersion(version)
        try writes.flush()
        if (try? writes.replaceWithoutFlush(manifestFile)) != nil { storedManifests.remember(manifest) }
        try audit.appendLocked(Self.auditEvent(for: stored), to: writes, now: now)
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
        try FileIO.replace(manifest.canonicalJSON(), at: layout.manifest, syncingDirectory: syncingDirectory)
        storedManifests.remember(manifest)
    }

    /// Replaces `project.json` as part of the change `writes` (a member
    /// change): flushed before it is named, and its name flushed before the
    /// change's audit line is written.
    func writeManifest(_ manifest: ProjectManifest, in writes: ChangeWrites) throws {
        let staged = try writes.stage(manifest.canonicalJSON(), at: layout.manifest)
        try writes.flush()
        try writes.rename(staged)
        try writes.flush()
        storedManifests.remember(manifest)
    }
}
