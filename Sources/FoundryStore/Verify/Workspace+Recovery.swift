import Foundation

extension Workspace {
    /// Repairs what an interrupted write can leave behind, at startup:
    /// a manifest behind its newest draft record is brought forward, a
    /// version without its audit entry gets one (marked as recorded late), and
    /// temp files (blob temps under `objects/` too) and half-built project
    /// directories older than `age` are removed (younger ones may belong to
    /// another process at work).
    ///
    /// - Returns: one line per repair, for the log.
    public func recover(olderThan age: TimeInterval = 600, now: Date = Date()) throws -> [String] {
        var repairs: [String] = []
        for name in try FileIO.list(root) where name.hasPrefix(FileIO.tempPrefix) {
            let path = root + "/" + name
            if isOlder(path, than: age, now: now) {
                try FileManager.default.removeItem(atPath: path)
                repairs.append("removed half-built project \(path)")
            }
        }
        for id in try projectIDs() {
            let store = try project(id)
            try store.mutex.withLock {
                guard let data = try FileIO.read(store.layout.manifest) else { return }
                let stored = try CanonicalJSON.decode(ProjectManifest.self, from: data, path: store.layout.manifest)
                let current = try store.manifest()
                if current.headVersion != stored.headVersion {
                    try store.writeManifest(current)
                    repairs.append("\(id): manifest head moved from \(stored.headVersion) to \(current.headVersion)")
                }
                let audited = try store.auditMissingVersionsLocked(now: now)
                if !audited.isEmpty { repairs.append("\(id): audit entries added for versions \(audited)") }
                if try store.auditMissingFreezeLocked(now: now) { repairs.append("\(id): audit entry added for its freeze") }
                if try store.locks.repairTokenCounterLocked() { repairs.append("\(id): fencing-token counter brought up to the largest lock token on disk") }
                let annotations = try store.auditMissingAnnotationsLocked(now: now)
                if !annotations.isEmpty { repairs.append("\(id): audit entries added for \(annotations.joined(separator: ", "))") }
            }
            for name in try FileIO.list(store.layout.bundles) where name.hasPrefix(FileIO.tempPrefix) {
                let path = store.layout.bundles + "/" + name
                if isOlder(path, than: age, now: now) {
                    try FileManager.default.removeItem(atPath: path)
                    repairs.append("removed half-written bundle \(path)")
                }
            }
            let blobDirectories = try FileIO.list(store.layout.objects).filter { !$0.hasPrefix(".") }.map { store.layout.objects + "/" + $0 }
            for directory in [store.layout.drafts, store.layout.locks, store.layout.directory, store.layout.comments, store.layout.tasks,
                              store.layout.signatures, store.layout.checkpoints] + blobDirectories {
                for name in try FileIO.list(directory) where name.hasPrefix(FileIO.tempPrefix) || name.hasPrefix(LockTombstone.prefix) {
                    let path = directory + "/" + name
                    if isOlder(path, than: age, now: now) {
                        try FileIO.remove(path)
                        repairs.append("removed temp file \(path)")
                    }
                }
            }
        }
        return repairs
    }

    private func isOlder(_ path: String, than age: TimeInterval, now: Date) -> Bool {
        var info = stat()
        guard stat(path, &info) == 0 else { return false }
        return now.timeIntervalSince1970 - Double(info.st_mtim.tv_sec) > age
    }
}
