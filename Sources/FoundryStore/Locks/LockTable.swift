import Foundation

/// The field locks of one project, one file each under `locks/`.
///
/// Every decision (is it free? is it mine? is it expired?) and the file
/// change that follows happen under the project's `ProjectMutex`, so two
/// requesters — threads or processes — can never both win a field. The
/// fencing token comes from `locks/.token`, incremented under the same mutex.
/// Each grant, denial and release is appended to the audit trail under it
/// as well (refreshes are not: they are heartbeats).
///
/// A grant flushes the new counter and the lock file's bytes together (one
/// round of `fsync`s), then names both (`rename` of the counter, `link` of
/// the lock: the watcher sees the lock at that moment), flushes `locks/`
/// (without a journal) and appends `lock.acquired`; the audit file is
/// flushed by the group commit before the grant is answered. A release
/// renames the lock to its tombstone, flushes `locks/` (without a journal),
/// appends `lock.released`, and unlinks the tombstone once that line is
/// durable.
public struct LockTable: Sendable {
    let layout: ProjectLayout
    let mutex: ProjectMutex
    let audit: AuditLog
    let groupCommit: GroupCommit
    let manifests: ManifestCache

    /// Outcome of an acquire: the lock now held, whether it was new or a
    /// refresh by its holder, and an expired lock that was cleared first.
    public struct Acquisition: Sendable, Equatable {
        public var lock: FieldLock
        public var refreshed: Bool
        public var expiredPredecessor: FieldLock?
    }

    /// Takes the lock on `field` for `identity`, or extends it when that
    /// session already holds it. Throws `lockHeld` naming the holder otherwise.
    /// Returns once the outcome is durable.
    @discardableResult
    public func acquire(_ field: FieldName, for identity: EditorIdentity, ttl: TimeInterval, now: Date = Date()) throws -> Acquisition {
        try submitAcquire(field, for: identity, ttl: ttl, now: now).wait()
    }

    /// `acquire`, returning once the outcome is decided and written (a
    /// refusal included, whose `lock.denied` line must be durable too).
    public func submitAcquire(_ field: FieldName, for identity: EditorIdentity, ttl: TimeInterval, now: Date = Date()) -> Pending<Acquisition> {
        mutex.commit(auditedIn: audit, via: groupCommit) { writes in
            try requireOpenProject()
            do {
                return try acquireLocked(field, for: identity, ttl: ttl, in: writes, now: now)
            } catch StoreError.lockHeld(let holder) {
                try audit.appendLocked(AuditEvent(.lockDenied, by: identity, data: [
                    "field": .string(field.rawValue), "holder": .string(holder.user), "holder_session": .string(holder.session), "token": .int(holder.token),
                ]), to: writes, now: now)
                throw StoreError.lockHeld(holder)
            }
        }
    }

    func acquireLocked(_ field: FieldName, for identity: EditorIdentity, ttl: TimeInterval, in writes: ChangeWrites, now: Date) throws -> Acquisition {
        let expiry = Timestamp.string(from: now.addingTimeInterval(ttl))
        var expired: FieldLock?
        if let current = try read(field) {
            if current.holder == identity, !current.isExpired(at: now) {
                var refreshed = current
                refreshed.expiresAt = expiry
                let staged = try writes.stage(try CanonicalJSON.encode(refreshed), at: layout.lock(field))
                try writes.flush()
                try writes.rename(staged)
                return Acquisition(lock: refreshed, refreshed: true, expiredPredecessor: nil)
            }
            guard current.isExpired(at: now) else { throw StoreError.lockHeld(current) }
            try retire(current, reason: .expired, by: identity, in: writes, now: now)
            expired = current
        }
        try FileIO.makeDirectory(layout.locks)
        let lock = FieldLock(
            field: field.rawValue, user: identity.user, session: identity.session,
            token: try currentToken() + 1, acquiredAt: Timestamp.string(from: now), expiresAt: expiry
        )
        let counter = try writes.stage(Data("\(lock.token)\n".utf8), at: layout.tokenCounter)
        let staged = try writes.stage(try CanonicalJSON.encode(lock), at: layout.lock(field))
        try writes.flush()
        try writes.rename(counter)
        guard try writes.link(staged) else {
            throw StoreError.conflict("lock file for \(field) appeared while the project mutex was held")
        }
        try writes.flush()
        try audit.appendLocked(AuditEvent(.lockAcquired, by: identity, data: [
            "field": .string(lock.field), "token": .int(lock.token), "expires_at": .string(lock.expiresAt),
        ]), to: writes, now: now)
        return Acquisition(lock: lock, refreshed: false, expiredPredecessor: expired)
    }

    /// Releases `field`. Only its holder may, unless `force` (an owner's forced
    /// release, recorded as `forced` when the lock was someone else's).
    /// Returns once the release is durable.
    @discardableResult
    public func release(_ field: FieldName, by identity: EditorIdentity, force: Bool = false, now: Date = Date()) throws -> FieldLock {
        try submitRelease(field, by: identity, force: force, now: now).wait()
    }

    /// `release`, returning once the release is decided and written.
    public func submitRelease(_ field: FieldName, by identity: EditorIdentity, force: Bool = false, now: Date = Date()) -> Pending<FieldLock> {
        mutex.commit(auditedIn: audit, via: groupCommit) { writes in
            guard let current = try read(field) else {
                throw StoreError.lockNotHeld(field: field.rawValue, reason: "the field is not locked")
            }
            if !force, current.holder != identity {
                if current.isExpired(at: now) {
                    throw StoreError.lockNotHeld(field: field.rawValue, reason: "the lock expired and belongs to \(current.user)")
                }
                throw StoreError.lockHeld(current)
            }
            try retire(current, reason: current.holder == identity ? .cancel : .forced, by: identity, in: writes, now: now)
            return current
        }
    }

    /// Every lock file present (expired ones included, flagged by their `expires_at`).
    public func all() throws -> [FieldLock] {
        try FileIO.list(layout.locks).compactMap { name in
            guard let field = FieldName.fromLockFileName(name) else { return nil }
            return try read(field)
        }
    }

    /// The lock file of `field` as it is now, or `nil`.
    public func current(_ field: FieldName) throws -> FieldLock? {
        try read(field)
    }

    /// Removes every expired lock; returns what was removed. Cheap when none
    /// has expired: the mutex is only taken when there is something to reap.
    public func reapExpired(now: Date = Date()) throws -> [FieldLock] {
        guard try all().contains(where: { $0.isExpired(at: now) }) else { return [] }
        return try mutex.commit(auditedIn: audit, via: groupCommit) { writes in
            try all().filter { $0.isExpired(at: now) }.map { lock in
                try retire(lock, reason: .expired, by: .server, in: writes, now: now)
                return lock
            }
        }.wait()
    }

    /// Removes every lock of one session (its socket went away).
    public func releaseAll(of identity: EditorIdentity, reason: LockReleaseReason = .disconnect) throws -> [FieldLock] {
        try mutex.commit(auditedIn: audit, via: groupCommit) { writes in
            try all().filter { $0.holder == identity }.map { lock in
                try retire(lock, reason: reason, by: identity, in: writes, now: Date())
                return lock
            }
        }.wait()
    }

    /// Extends every live lock of one session (its socket is alive and answering).
    public func refreshAll(of identity: EditorIdentity, ttl: TimeInterval, now: Date = Date()) throws -> [FieldLock] {
        try mutex.commit(auditedIn: audit, via: groupCommit) { writes in
            try all().filter { $0.holder == identity && !$0.isExpired(at: now) }.map { lock in
                try acquireLocked(try FieldName(lock.field), for: identity, ttl: ttl, in: writes, now: now).lock
            }
        }.wait()
    }

    /// The lock `identity` holds on `field`, or an error saying why it does not hold one.
    /// Call with the project mutex held.
    func requireHeld(_ field: FieldName, by identity: EditorIdentity, token: Int?, now: Date) throws -> FieldLock {
        guard let lock = try read(field) else {
            throw StoreError.lockNotHeld(field: field.rawValue, reason: "acquire the lock before saving")
        }
        if lock.holder != identity {
            if lock.isExpired(at: now) {
                throw StoreError.lockNotHeld(field: field.rawValue, reason: "acquire the lock before saving")
            }
            throw StoreError.lockHeld(lock)
        }
        if lock.isExpired(at: now) {
            throw StoreError.lockNotHeld(field: field.rawValue, reason: "your lock expired at \(lock.expiresAt)")
        }
        if let token, token != lock.token {
            throw StoreError.lockNotHeld(field: field.rawValue, reason: "lock token \(token) is not the current token \(lock.token)")
        }
        return lock
    }

    /// Throws `lockHeld` when a live lock of another session covers `field`.
    /// Call with the project mutex held.
    func requireNotHeldByOthers(_ field: FieldName, identity: EditorIdentity, now: Date) throws {
        if let lock = try read(field), lock.holder != identity, !lock.isExpired(at: now) {
            throw StoreError.lockHeld(lock)
        }
    }

    /// Ends `lock` for `reason` on behalf of `actor` as part of the change
    /// `writes`: rename to its tombstone (the release and its reason become
    /// visible at once), audit it, and unlink the tombstone once the audit
    /// line is durable (`ChangeWrites.removeOnceDurable`). Call with the
    /// project mutex held.
    func retire(_ lock: FieldLock, reason: LockReleaseReason, by actor: EditorIdentity, in writes: ChangeWrites, now: Date) throws {
        let field = try FieldName(lock.field)
        let tombstone = layout.locks + "/" + LockTombstone(field: field, token: lock.token, reason: reason).fileName
        guard try writes.rename(layout.lock(field), to: tombstone) else { return }
        try writes.flush()
        try audit.appendLocked(AuditEvent(.lockReleased, by: actor, data: [
            "field": .string(lock.field), "token": .int(lock.token), "reason": .string(reason.rawValue),
            "holder": .string(lock.user), "holder_session": .string(lock.session),
        ]), to: writes, now: now)
        writes.removeOnceDurable(tombstone)
    }

    /// `retire` for a change not written through `ChangeWrites` (a freeze):
    /// durable on return. Call with the project mutex held.
    func retire(_ lock: FieldLock, reason: LockReleaseReason, by actor: EditorIdentity, now: Date) throws {
        let writes = ChangeWrites(commit: groupCommit)
        defer { writes.discardUnplaced() }
        try retire(lock, reason: reason, by: actor, in: writes, now: now)
        try groupCommit.submit(writes.plan).wait()
    }

    /// Throws `projectFrozen` when `project.json` says the project is frozen:
    /// no lock is granted in a read-only project. Call with the mutex held.
    private func requireOpenProject() throws {
        guard let manifest = try manifests.read() else { return }
        guard manifest.state == .open else { throw StoreError.projectFrozen(manifest.id) }
    }

    func read(_ field: FieldName) throws -> FieldLock? {
        let path = layout.lock(field)
        guard let data = try FileIO.read(path) else { return nil }
        return try CanonicalJSON.decode(FieldLock.self, from: data, path: path)
    }

    /// Brings `locks/.token` up to the largest token of a lock file or
    /// tombstone on disk. A grant names the new counter and its lock file in
    /// one directory, flushed together: on a file system without a journal a
    /// power loss may keep the lock file and lose the counter's new name, and
    /// the next grant must not hand out that token again. Call with the
    /// mutex held (at startup); returns whether the counter moved.
    func repairTokenCounterLocked() throws -> Bool {
        var largest = 0
        for name in try FileIO.list(layout.locks) {
            if let tombstone = LockTombstone(fileName: name) {
                largest = max(largest, tombstone.token)
            } else if let field = FieldName.fromLockFileName(name), let lock = try? read(field) {
                largest = max(largest, lock.token)
            }
        }
        guard largest > (try currentToken()) else { return false }
        try FileIO.replace(Data("\(largest)\n".utf8), at: layout.tokenCounter)
        return true
    }

    /// The last fencing token handed out (0 before the first).
    private func currentToken() throws -> Int {
        try FileIO.read(layout.tokenCounter).flatMap {
            Int(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        } ?? 0
    }
}
