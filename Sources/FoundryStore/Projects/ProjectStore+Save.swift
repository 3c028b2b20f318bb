import Foundation

extension ProjectStore {
    /// Saves fields the caller holds locks on, as version head+1.
    ///
    /// Refused with `lockNotHeld`/`lockHeld` (423) when a field's lock is not
    /// the caller's, and with `staleBase` (409) when a field it writes changed
    /// after `baseVersion`. Fields saved meanwhile by others are kept: the new
    /// version is the head plus this save's fields. Locks are released
    /// afterwards unless `keepLocks`.
    public func save(_ request: SaveRequest, by identity: EditorIdentity, now: Date = Date()) throws -> SaveResult {
        guard !request.fields.isEmpty else { throw StoreError.invalidArgument("a save needs at least one field") }
        guard (request.message?.utf8.count ?? 0) <= SaveRequest.maximumMessageBytes else {
            throw StoreError.invalidArgument("the message is longer than \(SaveRequest.maximumMessageBytes) bytes")
        }
        return try mutex.change(auditedIn: audit) {
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
            let (draft, created) = try discardingNewBlobs(of: request.fields.values.compactMap { $0 }) { () -> (StoredDraft, Bool) in
                var fields = head?.record.fields ?? [:]
                for (field, text) in request.fields {
                    fields[field.rawValue] = try text.map { try entry(for: field, text: $0) }
                }
                if let head, fields == head.record.fields { return (head, false) }
                let pending = PendingVersion(kind: .save, fields: fields, identity: identity, message: request.message, lockTokens: tokens)
                return (try commitLocked(pending, now: now), true)
            }
            var released: [FieldLock] = []
            if !request.keepLocks {
                for field in request.fields.keys.sorted() {
                    guard let lock = try locks.read(field) else { continue }
                    try locks.retire(lock, reason: .save, by: identity, now: now)
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
