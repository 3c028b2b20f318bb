import Foundation

/// A small file system of a given kind (ext4 with or without its journal,
/// XFS) made in an image file and mounted on a temp directory through a
/// loop device: the write order can then be checked on each kind. Needs
/// root with `mount` permitted and the `mkfs` of that kind; `isPermitted`
/// and `canMake` probe.
struct LoopMount: Sendable {
    enum Kind: String, Sendable {
        case ext4Journal = "ext4 (journal)"
        case ext4NoJournal = "ext4 (no journal)"
        case xfs = "xfs"

        var mkfs: [String] {
            switch self {
            case .ext4Journal: ["/usr/sbin/mkfs.ext4", "-q", "-F"]
            case .ext4NoJournal: ["/usr/sbin/mkfs.ext4", "-q", "-F", "-O", "^has_journal"]
            case .xfs: ["/usr/sbin/mkfs.xfs", "-q", "-f"]
            }
        }
    }

    let path: String
    let image: String

    init(_ kind: Kind) throws {
        let base = NSTemporaryDirectory() + "foundry-loop-" + UUID().uuidString
        path = base + "-mnt"
        image = base + ".img"
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        guard FileManager.default.createFile(atPath: image, contents: nil),
              truncate(image, 320 << 20) == 0
        else { throw POSIXError(.EIO) }
        let made = try run(kind.mkfs[0], Array(kind.mkfs.dropFirst()) + [image])
        let mounted = made.status == 0 ? try run("/usr/bin/mount", ["-o", "loop", image, path]) : made
        guard mounted.status == 0 else {
            try? FileManager.default.removeItem(atPath: path)
            try? FileManager.default.removeItem(atPath: image)
            throw HTTPFailure.truncated("\(kind.rawValue): \(mounted.output)")
        }
    }

    static let canMakeExt4 = canMake(.ext4Journal)
    static let canMakeXFS = canMake(.xfs)

    private static func canMake(_ kind: Kind) -> Bool {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: kind.mkfs[0]) else { return false }
        guard let probe = try? LoopMount(kind) else { return false }
        probe.unmount()
        return true
    }

    func unmount() {
        _ = try? run("/usr/bin/umount", [path])
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.removeItem(atPath: image)
    }
}
