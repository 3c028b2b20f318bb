import Foundation

extension ProjectStore {
    /// Saves fields the caller holds locks on, as version head+1, and returns
    /// once the version is durable.
    ///
    /// Refused with `lockNotHeld`/`lockHeld` (423) when a field's lock is not
    /// the caller's, and with `staleBase` (409) when a field it writes changed
    /// after `baseVersion`. Fields saved meanwhile by others are kept: the new
    /// version is the head plus this save's fields. Locks are released
    /// afterwards unless `keepLocks`.
    public func save(_ request: SaveRequest, by identity: EditorIdentity, now: Date = Date()) throws -> SaveResult {
        try submitSave(request, by: identity, now: now).wait()
    }

    /// `save`, returning as soon as the version is decided and written; it is
    /// acknowledged once the `Pending` is durable.
    ///
    /// The new texts are hashed and their blobs staged before the project
    /// mutex is taken; under it the save is decided, its record and blobs
    /// flushed and named, its audit lines appended (see `commitLocked`).
    public func submitSave(_ request: SaveRequest, by identity: EditorIdentity, now: Date = Date()) -> Pending<SaveResult> {
        guard !request.fields.isEmpty else { return Pending(.failure(StoreError.invalidArgument("a save needs at least one field")), ticket: nil) }
        guard (request.message?.utf8.count ?? 0) <= SaveRequest.maximumMessageBytes else {
            return Pending(.failure(StoreError.invalidArgument("the message is longer than \(SaveRequest.maximumMessageBytes) bytes")), ticket: nil)
        }
        let blobs = stagingBlobs()
        defer { blobs.discard() }
        let entries: [(field: FieldName, entry: FieldEntry?)]
        do {
            entries = try request.fields.map { field, text in (field, try text.map { try blobs.entry(for: field, text: $0) }) }
            // Without a journal a blob's bytes must be durable before it is named: flushed here, outside the mutex.
            if !groupCommit.ordering.isJournalled { try blobs.flush() }
        } catch {
            return Pending(.failure(error), ticket: nil)
        }
        return mutex.commit(auditedIn: audit, via: groupCommit) { writes in
            let manifest = try manifest()
            guard manifest.state == .open else { throw StoreError.projectFrozen(id.rawValue) }
            guard request.baseVersion >= 0, request.baseVersion <= manifest.headVersion else {
                throw StoreError.versionNotFound(project: id.rawValue, version: request.baseVersion)
            }
            var tokens: [String: Int] = [:]
            for field in request.fields.keys.sorted() {
                tokens[field.rawValue] = try locks.requireHeld(field, by: identity, token: request.lockTokens[field], now: now).token
            }
            let head = manifest.headVersion == 0 ? nil : try draft(manifest.headVersion)
            let base = request.baseVersion == 0 ? nil : try draft(request.baseVersion)
            for field in request.fields.keys.sorted() {
                let name = field.rawValue
                if head?.record.fields[name]?.sha256 != base?.record.fields[name]?.sha256 {
                    throw StoreError.staleBase(field: name, base: request.baseVersion, changedIn: try lastChange(of: name, upTo: manifest.headVersion))
                }
            }
            var fields = head?.record.fields ?? [:]
            for (field, entry) in entries { fields[field.rawValue] = entry }
            let draft: StoredDraft
            let created: Bool
            if let head, fields == head.record.fields {
                (draft, created) = (head, false)
            } else {
                let pending = PendingVersion(kind: .save, fields: fields, identity: identity, message: request.message, lockTokens: tokens, blobs: blobs)
                (draft, created) = (try commitLocked(pending, in: writes, now: now), true)
            }
            var released: [FieldLock] = []
            if !request.keepLocks {
                for field in request.fields.keys.sorted() {
                    guard let lock = try locks.read(field) else { continue }
                    try locks.retire(lock, reason: .save, by: identity, in: writes, now: now)
                    released.append(lock)
                }
            }
            return SaveResult(draft: draft, created: created, releasedLocks: released)
        }
    }

    /// The newest version ≤ `version` whose record lists `field` as changed.
    func lastChange(of field: String, upTo version: Int) throws -> Int {
        var current = version
        while current >= 1 {
            if try draft(current).record.changed.contains(field) { return current }
            current -= 1
        }
        return 0
    }
}
