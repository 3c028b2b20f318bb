import Foundation

extension Verifier {
    /// Checks `locks/` against the trail. A grant writes `.token`, then the
    /// lock file, then `lock.acquired`; a release renames the lock file to its
    /// tombstone, writes `lock.released`, then unlinks the tombstone — each
    /// under the project mutex. So a crash can leave a lock file of the
    /// newest token without its entry, a tombstone with or without its
    /// release entry, and a counter past the newest token. It cannot leave a
    /// lock file whose release is recorded, a tombstone of a lock never
    /// granted, an unrecorded grant older than a recorded token, a granted
    /// lock gone without a release, or a counter behind a token the trail
    /// records (which would hand out a fencing token twice). A counter behind
    /// only unrecorded grants is a power loss inside the grant's flush round
    /// (the counter and the lock file are flushed together, the rename of one
    /// may reach the disk without the other's): the next start raises it.
    func verifyLocks(_ layout: ProjectLayout, trail: AuditTrail, into report: inout VerificationReport) {
        var highestInUse = trail.highestToken
        var unrecordedGrants: [(path: String, lock: FieldLock)] = []
        var present = Set<Int>()
        for name in (try? FileIO.list(layout.locks)) ?? [] {
            let path = layout.locks + "/" + name
            if let tombstone = LockTombstone(fileName: name) {
                guard let lock = Self.readLock(path), lock.token == tombstone.token, lock.field == tombstone.field.rawValue else {
                    report.damage(path, "is not the record of lock #\(tombstone.token) of field \(tombstone.field) that its name says")
                    continue
                }
                highestInUse = max(highestInUse, lock.token)
                present.insert(lock.token)
                let about = "lock #\(lock.token) of field \(lock.field) (held by \(lock.user), released: \(tombstone.reason.rawValue))"
                if let line = trail.releases[lock.token]?.first {
                    report.interrupted(.releasedLockTombstone, path, "\(about) is released at line \(line); only the removal of its tombstone was cut short")
                } else if trail.grants[lock.token] == nil {
                    report.damage(path, "releases lock #\(lock.token) of field \(lock.field), which the trail never records as granted")
                } else {
                    trail.interrupted(.unauditedLockRelease, path, "\(about) has no lock.released entry yet: a release stopped between its rename and its audit line, never acknowledged", into: &report)
                }
                continue
            }
            guard let field = FieldName.fromLockFileName(name) else { continue }
            guard let lock = Self.readLock(path) else {
                report.damage(path, "not a readable lock record")
                continue
            }
            highestInUse = max(highestInUse, lock.token)
            present.insert(lock.token)
            if lock.field != field.rawValue { report.damage(path, "holds the lock of field \(lock.field), not of \(field)") }
            if lock.isExpired(at: Date()) { report.note(path, "expired lock of \(lock.user); it is removed by the server's reaper") }
            if let line = trail.releases[lock.token]?.first {
                report.damage(path, "lock #\(lock.token) is released at line \(line), yet its lock file is present")
            } else if let grant = trail.grants[lock.token] {
                if grant.field != lock.field { report.damage(path, "lock #\(lock.token) is of field \(lock.field), its grant (line \(grant.line)) of \(grant.field)") }
            } else {
                unrecordedGrants.append((path, lock))
            }
        }
        for (path, lock) in unrecordedGrants {
            if lock.token <= trail.highestToken {
                report.damage(path, "lock #\(lock.token) has no lock.acquired entry, yet line \(trail.tokenLines[trail.highestToken] ?? 0) names the later token #\(trail.highestToken): the entry was removed from the trail")
            } else {
                trail.interrupted(.unauditedLockGrant, path, "lock #\(lock.token) of field \(lock.field) for \(lock.user) has no lock.acquired entry yet: a grant stopped between its lock file and its audit line, never acknowledged", into: &report)
            }
        }
        for (token, grant) in trail.grants.sorted(by: { $0.key < $1.key }) where trail.releases[token] == nil && !present.contains(token) {
            let path = (try? FieldName(grant.field)).map(layout.lock) ?? layout.locks
            report.damage(path, "lock #\(token) of field \(grant.field), granted at line \(grant.line), is neither released in the trail nor on disk (its file or tombstone): removed behind the server's back")
        }
        verifyTokenCounter(layout, highestInUse: highestInUse, highestRecorded: trail.highestToken, into: &report)
    }

    private func verifyTokenCounter(_ layout: ProjectLayout, highestInUse: Int, highestRecorded: Int, into report: inout VerificationReport) {
        let path = layout.tokenCounter
        guard let data = try? FileIO.read(path) else {
            if highestInUse > 0 { report.damage(path, "missing while token #\(highestInUse) is in use: the next grant would hand out a fencing token again") }
            return
        }
        guard let counter = Int(String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            report.damage(path, "not a token counter")
            return
        }
        if counter < highestInUse, counter >= highestRecorded {
            report.interrupted(.tokenCounterBehind, path, "says \(counter) while the unrecorded grant of token #\(highestInUse) is on disk: the counter's new name was lost with the grant's audit line (a power loss in the grant's flush), never acknowledged")
        } else if counter < highestInUse {
            report.damage(path, "says \(counter) while token #\(highestInUse) is in use: the counter went back, a fencing token could be granted twice")
        } else if counter > highestInUse {
            report.interrupted(.reservedLockTokens, path, "says \(counter), the newest token in use is #\(highestInUse): a grant stopped (a crash or a refused write) after taking its number, never acknowledged")
        }
    }

    static func readLock(_ path: String) -> FieldLock? {
        guard let data = try? FileIO.read(path) else { return nil }
        return try? JSONDecoder().decode(FieldLock.self, from: data)
    }
}
