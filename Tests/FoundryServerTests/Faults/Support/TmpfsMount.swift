import Foundation

/// A size-limited tmpfs mounted on a temp directory (needs CAP_SYS_ADMIN:
/// root in CI's container may or may not have it; `isPermitted` probes).
struct TmpfsMount: Sendable {
    let path: String

    init(megabytes: Int) throws {
        path = NSTemporaryDirectory() + "foundry-fault-tmpfs-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let mounted = try run("/usr/bin/mount", ["-t", "tmpfs", "-o", "size=\(megabytes)m", "tmpfs", path])
        guard mounted.status == 0 else {
            try? FileManager.default.removeItem(atPath: path)
            throw HTTPFailure.truncated("mount: \(mounted.output)")
        }
    }

    static let isPermitted: Bool = {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/mount") else { return false }
        guard let probe = try? TmpfsMount(megabytes: 1) else { return false }
        probe.unmount()
        return true
    }()

    /// Writes a filler file so that about `bytes` stay free.
    func fill(leaving bytes: Int) throws {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { throw POSIXError(.EIO) }
        let free = Int(info.f_bavail) * Int(info.f_frsize)
        guard free > bytes else { return }
        try Data(count: free - bytes).write(to: URL(fileURLWithPath: path + "/filler-" + UUID().uuidString))
    }

    func removeFillers() {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where name.hasPrefix("filler-") {
            try? FileManager.default.removeItem(atPath: path + "/" + name)
        }
    }

    func unmount() {
        _ = try? run("/usr/bin/umount", [path])
        try? FileManager.default.removeItem(atPath: path)
    }
}
