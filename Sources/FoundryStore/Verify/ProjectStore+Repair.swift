import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension ProjectStore {
    /// Finishes the interrupted change `verify` named as `state` at `path`,
    /// as `state.nextStart` says. Call with the mutex held exclusively.
    ///
    /// - Returns: the repairs made, for the log (none for states that are kept).
    func repair(_ state: CrashState, at path: String, olderThan age: TimeInterval, now: Date) throws -> [String] {
        let name = (path as NSString).lastPathComponent
        switch state {
        case .tempFile, .tempDirectory:
            guard Workspace.isOlder(path, than: age, now: now) else { return [] }
            try FileManager.default.removeItem(atPath: path)
            try FileIO.syncDirectory(of: path)
            let parent = (path as NSString).deletingLastPathComponent
            return [state == .tempFile ? "removed temp file \(path)"
                : parent == layout.bundles ? "removed half-written bundle \(path)"
                : parent == layout.runs ? "removed half-built run \(path)" : "removed half-built directory \(path)"]
        case .manifestBehind:
            let stored = try FileIO.read(layout.manifest).map { try CanonicalJSON.decode(ProjectManifest.self, from: $0, path: layout.manifest) }
            let current = try manifest()
            try writeManifest(current)
            return ["\(id): manifest head moved from \(stored?.headVersion ?? 0) to \(current.headVersion)"]
        case .unauditedVersion:
            guard let version = ProjectLayout.version(ofDraftFile: name) else { return [] }
            try audit.appendLocked(Self.auditEvent(for: try readDraft(version), recoveredLate: true), now: now)
            return ["\(id): audit entry added for version \(version)"]
        case .unauditedAnnotation:
            guard let sequence = AnnotationSeries.sequence(ofFile: name) else { return [] }
            let event = path.hasPrefix(layout.comments + "/") ? try comments.record(sequence)?.auditEvent(recoveredLate: true)
                : path.hasPrefix(layout.tasks + "/") ? try tasks.record(sequence)?.auditEvent(recoveredLate: true)
                : try signatures.record(sequence)?.auditEvent(recoveredLate: true)
            guard let event else { return [] }
            try audit.appendLocked(event, now: now)
            return ["\(id): audit entry added for \(event.data["file"]?.string ?? name)"]
        case .unauditedFreeze:
            return try auditMissingFreezeLocked(now: now) ? ["\(id): audit entry added for its freeze"] : []
        case .unauditedLockGrant:
            guard let lock = Verifier.readLock(path) else { return [] }
            try audit.appendLocked(AuditEvent(.lockAcquired, by: lock.holder, data: [
                "field": .string(lock.field), "token": .int(lock.token), "expires_at": .string(lock.expiresAt), "recorded_at_recovery": .bool(true),
            ]), now: now)
            return ["\(id): audit entry added for the grant of lock #\(lock.token) (\(lock.field))"]
        case .unauditedLockRelease:
            guard let tombstone = LockTombstone(fileName: name), let lock = Verifier.readLock(path) else { return [] }
            let actor = [.save, .cancel, .disconnect].contains(tombstone.reason) ? lock.holder : .server
            try audit.appendLocked(AuditEvent(.lockReleased, by: actor, data: [
                "field": .string(lock.field), "token": .int(lock.token), "reason": .string(tombstone.reason.rawValue),
                "holder": .string(lock.user), "holder_session": .string(lock.session), "recorded_at_recovery": .bool(true),
            ]), now: now)
            try FileIO.remove(path)
            return ["\(id): audit entry added for the release of lock #\(lock.token) (\(lock.field)); its tombstone removed"]
        case .releasedLockTombstone:
            try FileIO.remove(path)
            return ["removed lock tombstone \(path)"]
        case .unauditedRunStart, .unauditedRunEnd, .tornConsoleLine:
            return try repairRun(state, at: path, now: now)
        case .unauditedMemberChange:
            return try auditMemberChangeLocked(now: now)
        case .tokenCounterBehind:
            return try locks.repairTokenCounterLocked() ? ["\(id): fencing-token counter brought up to the largest lock token on disk"] : []
        case .orphanBlob, .reservedLockTokens, .tornAuditLine, .bundleWithoutFreeze:
            return []
        }
    }

    private func repairRun(_ state: CrashState, at path: String, now: Date) throws -> [String] {
        let directory = (path as NSString).deletingLastPathComponent
        let name = (directory as NSString).lastPathComponent
        guard let run = try? RunID(name) else { return [] }
        let record = try runRecord(run)
        switch state {
        case .unauditedRunStart:
            try audit.appendLocked(record.startedEvent(recoveredLate: true), now: now)
            return ["\(id): audit entry added for the start of \(name)"]
        case .unauditedRunEnd:
            try audit.appendLocked(record.endedEvent(record.endedEventType, by: .server, extra: ["recorded_at_recovery": .bool(true)]), now: now)
            return ["\(id): audit entry added for the end of \(name)"]
        default:
            let cut = try Self.cutIncompleteLine(layout.run(run).console)
            return cut > 0 ? ["\(id): cut an incomplete last line of \(cut) byte(s) off the console of \(name)"] : []
        }
    }

    /// Appends the `member.*` entry of the one member whose role in
    /// `project.json` differs from what the trail gives.
    private func auditMemberChangeLocked(now: Date) throws -> [String] {
        var ignored = VerificationReport()
        guard let expected = AuditTrail(layout, into: &ignored).members, let data = try FileIO.read(layout.manifest) else { return [] }
        let members = try CanonicalJSON.decode(ProjectManifest.self, from: data, path: layout.manifest).members
        let differing = Set(expected.keys).union(members.keys).filter { expected[$0] != members[$0] }
        guard differing.count == 1, let user = differing.first else { return [] }
        var facts: [String: JSONValue] = ["member": .string(user), "previous_role": (expected[user]?.rawValue).json, "recorded_at_recovery": .bool(true)]
        if let role = members[user] { facts["role"] = .string(role.rawValue) }
        try audit.appendLocked(AuditEvent(members[user] == nil ? .memberRemoved : .memberSet, by: .server, data: facts), now: now)
        return ["\(id): audit entry added for the member change of \(user)"]
    }

    /// Truncates `path` after its last newline and `fsync`s it; returns the bytes cut.
    private static func cutIncompleteLine(_ path: String) throws -> Int {
        let size = try ConsoleLog.size(path)
        let complete = try ConsoleLog.completeEnd(path, end: size)
        guard complete < size else { return 0 }
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.system("open", path) }
        defer { close(fd) }
        guard ftruncate(fd, off_t(complete)) == 0 else { throw StoreError.system("truncate", path) }
        guard fsync(fd) == 0 else { throw StoreError.system("fsync", path) }
        return size - complete
    }
}
