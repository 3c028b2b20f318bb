import Foundation

/// The field locks of one project, one file each under `locks/`.
///
/// Every decision (is it free? is it mine? is it expired?) and the file
/// change that follows happen under the project's `ProjectMutex`, so two
/// requesters — threads or processes — can never both win a field. The
/// fencing token comes from `locks/.token`, incremented under the same mutex.
/// Each grant, denial and release is appended to the audit trail under it
/// as well (refreshes are not: they are heartbeats).
public struct LockTable: Sendable {
    let layout: ProjectLayout
    let mutex: ProjectMutex
    let audit: AuditLog

    /// Outcome of an acquire: the lock now held, whether it was new or a
    /// refresh by its holder, and an expired lock that was cleared first.
    public struct Acquisition: Sendable, Equatable {
        public var lock: FieldLock
        public var refreshed: Bool
        public var expiredPredecessor: FieldLock?
    }

    /// Takes the lock on `field` for `identity`, or extends it when that
    /// session already holds it. Throws `lockHeld` naming the holder otherwise.
    @discardableResult
    public func acquire(_ field: FieldName, for identity: EditorIdentity, ttl: TimeInterval, now: Date = Date()) throws -> Acquisition {
        try mutex.change(auditedIn: audit) {
            try requireOpenProject()
            do {
                return try acquireLocked(field, for: identity, ttl: ttl, now: now)
            } catch StoreError.lockHeld(let holder) {
                try audit.appendLocked(AuditEvent(.lockDenied, by: identity, data: [
                    "field": .string(field.rawValue), "holder": .string(holder.user), "holder_session": .string(holder.session), "token": .int(holder.token),
                ]), now: now)
                throw StoreError.lockHeld(holder)
            }
        }
    }

    func acquireLocked(_ field: FieldName, for identity: EditorIdentity, ttl: TimeInterval, now: Date) throws -> Acquisition {
        let expiry = Timestamp.string(from: now.addingTimeInterval(ttl))
        var expired: FieldLock?
        if let current = try read(field) {
            if current.holder == identity, !current.isExpired(at: now) {
                var refreshed = current
                refreshed.expiresAt = expiry
                try FileIO.replace(try CanonicalJSON.encode(refreshed), at: layout.lock(field))
                return Acquisition(lock: refreshed, refreshed: true, expiredPredecessor: nil)
            }
            guard current.isExpired(at: now) else { throw StoreError.lockHeld(current) }
            try retire(current, reason: .expired, by: identity, now: now)
            expired = current
        }
        let lock = FieldLock(
            field: field.rawValue, user: identity.user, session: identity.session,
            token: try nextToken(), acquiredAt: Timestamp.string(from: now), expiresAt: expiry
        )
        try FileIO.makeDirectory(layout.locks)
        guard try FileIO.createExclusively(try CanonicalJSON.encode(lock), at: layout.lock(field)) else {
            throw StoreError.conflict("lock file for \(field) appeared while the project mutex was held")
        }
        try audit.appendLocked(AuditEvent(.lockAcquired, by: identity, data: [
            "field": .string(lock.field), "token": .int(lock.token), "expires_at": .string(lock.expiresAt),
        ]), now: now)
        return Acquisition(lock: lock, refreshed: false, expiredPredecessor: expired)
    }

    /// Releases `field`. Only its holder may, unless `force` (an owner's forced
    /// release, recorded as `forced` when the lock was someone else's).
    @discardableResult
    public func release(_ field: FieldName, by identity: EditorIdentity, force: Bool = false, now: Date = Date()) throws -> FieldLock {
        try mutex.change(auditedIn: audit) {
            guard let current = try read(field) else {
                throw StoreError.lockNotHeld(field: field.rawValue, reason: "the field is not locked")
            }
            if !force, current.holder != identity {
                if current.isExpired(at: now) {
                    throw StoreError.lockNotHeld(field: field.rawValue, reason: "the lock expired and belongs to \(current.user)")
                }
                throw StoreError.lockHeld(current)
            }
            try retire(current, reason: current.holder == identity ? .cancel : .forced, by: identity, now: now)
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
        return try mutex.change(auditedIn: audit) {
            try all().filter { $0.isExpired(at: now) }.map { lock in
                try retire(lock, reason: .expired, by: .server, now: now)
                return lock
            }
        }
    }

    /// Removes every lock of one session (its socket went away).
    public func releaseAll(of identity: EditorIdentity, reason: LockReleaseReason = .disconnect) throws -> [FieldLock] {
        try mutex.change(auditedIn: audit) {
            try all().filter { $0.holder == identity }.map { lock in
                try retire(lock, reason: reason, by: identity, now: Date())
                return lock
            }
        }
    }

    /// Extends every live lock of one session (its socket is alive and answering).
    public func refreshAll(of identity: EditorIdentity, ttl: TimeInterval, now: Date = Date()) throws -> [FieldLock] {
        try mutex.withLock {
            try all().filter { $0.holder == identity && !$0.isExpired(at: now) }.map { lock in
                try acquireLocked(try FieldName(lock.field), for: identity, ttl: ttl, now: now).lock
            }
        }
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

    /// Ends `lock` for `reason` on behalf of `actor`: rename to its tombstone
    /// (the release and its reason become visible at once), audit it, then
    /// unlink the tombstone. Call with the project mutex held.
    func retire(_ lock: FieldLock, reason: LockReleaseReason, by actor: EditorIdentity, now: Date) throws {
        let field = try FieldName(lock.field)
        let tombstone = layout.locks + "/" + LockTombstone(field: field, token: lock.token, reason: reason).fileName
        guard rename(layout.lock(field), tombstone) == 0 else {
            if errno == ENOENT { return }
            throw StoreError.system("rename", layout.lock(field))
        }
        try FileIO.syncDirectory(layout.locks)
        try audit.appendLocked(AuditEvent(.lockReleased, by: actor, data: [
            "field": .string(lock.field), "token": .int(lock.token), "reason": .string(reason.rawValue),
            "holder": .string(lock.user), "holder_session": .string(lock.session),
        ]), now: now)
        try FileIO.remove(tombstone)
    }

    /// Throws `projectFrozen` when `project.json` says the project is frozen:
    /// no lock is granted in a read-only project. Call with the mutex held.
    private func requireOpenProject() throws {
        guard let data = try FileIO.read(layout.manifest) else { return }
        let manifest = try CanonicalJSON.decode(ProjectManifest.self, from: data, path: layout.manifest)
        guard manifest.state == .open else { throw StoreError.projectFrozen(manifest.id) }
    }

    func read(_ field: FieldName) throws -> FieldLock? {
        let path = layout.lock(field)
        guard let data = try FileIO.read(path) else { return nil }
        return try CanonicalJSON.decode(FieldLock.self, from: data, path: path)
    }

    private func nextToken() throws -> Int {
        let current = try FileIO.read(layout.tokenCounter).flatMap {
            Int(String(decoding: $0, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
        } ?? 0
        try FileIO.makeDirectory(layout.locks)
        try FileIO.replace(Data("\(current + 1)\n".utf8), at: layout.tokenCounter)
        return current + 1
    }
}
