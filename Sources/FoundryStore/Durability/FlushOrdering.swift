import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What the file system under a workspace root promises about the order in
/// which changes reach the disk, beyond `fsync(2)` of the file or directory
/// itself. The group commit relies on `journalled` only where it detected it.
///
/// - `journalled`: ext4 with its jbd2 journal (any `data=` mode) and XFS.
///   Both log metadata in one sequence and commit it in order: when an
///   `fsync` returns, every metadata change made before the last change to
///   the flushed inode is durable too (ext4: the journal transaction holding
///   that change and every earlier one are committed; XFS: the log is
///   forced up to that change's sequence, which covers every earlier one).
///   So the `fsync` of the audit file, appended last, makes the names the
///   change created before it durable as well.
/// - `portable`: anything else — ext4 without a journal (as on the build
///   machines), btrfs (its log tree holds only the inodes it was asked to
///   flush), tmpfs, network and FUSE file systems. Every directory that got
///   a new name is flushed, and only then the audit file.
///
/// `FOUNDRY_FLUSH_ORDERING=portable` forces `portable` on any file system.
public enum FlushOrdering: Sendable, Equatable, CustomStringConvertible {
    case journalled(fileSystem: String)
    case portable(fileSystem: String)

    public var isJournalled: Bool {
        if case .journalled = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case .journalled(let name): "\(name): journalled (one fsync of the last file written covers the names made before it)"
        case .portable(let name): "\(name): portable (every directory with a new name is fsynced, then the audit file)"
        }
    }

    /// The ordering of the file system holding `path`.
    public static func detect(at path: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> FlushOrdering {
        let detected = detectFileSystem(at: path)
        if environment["FOUNDRY_FLUSH_ORDERING"] == "portable", case .journalled(let name) = detected {
            return .portable(fileSystem: name + ", journal ignored (FOUNDRY_FLUSH_ORDERING=portable)")
        }
        return detected
    }

    private static func detectFileSystem(at path: String) -> FlushOrdering {
        guard let type = fileSystemType(at: path) else { return .portable(fileSystem: "unknown (statfs failed)") }
        switch type {
        case 0x5846_5342:
            return .journalled(fileSystem: "xfs")
        case 0xEF53:
            guard let device = blockDeviceName(of: path) else { return .portable(fileSystem: "ext2/3/4 (device unknown)") }
            return hasJournal(device) ? .journalled(fileSystem: "ext4 (\(device), journal)") : .portable(fileSystem: "ext4 (\(device), no journal)")
        case 0x0102_1994: return .portable(fileSystem: "tmpfs")
        case 0x9123_683E: return .portable(fileSystem: "btrfs")
        case 0x6573_5546: return .portable(fileSystem: "fuse")
        case 0x794C_7630: return .portable(fileSystem: "overlayfs")
        case 0x6969: return .portable(fileSystem: "nfs")
        case let other: return .portable(fileSystem: "f_type 0x" + String(other, radix: 16))
        }
    }

    /// The kernel's name of the block device holding `path` (`vda`, `loop3`, `nvme0n1p2`).
    private static func blockDeviceName(of path: String) -> String? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        let device = UInt64(info.st_dev)
        // glibc's gnu_dev_major/minor, spelled out (the macros are not imported).
        let major = ((device >> 32) & 0xFFFF_F000) | ((device >> 8) & 0xFFF)
        let minor = ((device >> 12) & 0xFFFF_FF00) | (device & 0xFF)
        guard let uevent = try? String(contentsOfFile: "/sys/dev/block/\(major):\(minor)/uevent", encoding: .utf8) else { return nil }
        return uevent.split(separator: "\n").first { $0.hasPrefix("DEVNAME=") }.map { String($0.dropFirst("DEVNAME=".count)) }
    }

    /// Whether ext4 on `device` runs with its jbd2 journal: the kernel names
    /// the journal thread in `/sys/fs/ext4/<device>/journal_task` (`<none>`
    /// without a journal) and lists the journal under `/proc/fs/jbd2/`.
    /// Fast commits (`-O fast_commit`) keep the property: a fast commit
    /// writes the whole queue of directory operations, in the order they
    /// were made, and every inode changed since the last full commit.
    private static func hasJournal(_ device: String) -> Bool {
        if let task = try? String(contentsOfFile: "/sys/fs/ext4/\(device)/journal_task", encoding: .utf8) {
            let name = task.trimmingCharacters(in: .whitespacesAndNewlines)
            return !name.isEmpty && name != "<none>"
        }
        return ((try? FileManager.default.contentsOfDirectory(atPath: "/proc/fs/jbd2")) ?? []).contains { $0.hasPrefix(device + "-") }
    }
}

/// `statfs(2)`'s `f_type` (the file system's magic number) for `path`.
///
/// Swift's Glibc module does not import `sys/vfs.h`; `f_type` is the first
/// member of `struct statfs` on every Linux architecture, a machine word
/// wide, so the call is made with a buffer larger than the structure
/// (120 bytes on 64-bit Linux) and only that word is read.
private func fileSystemType(at path: String) -> UInt64? {
    let buffer = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 16)
    defer { buffer.deallocate() }
    buffer.initializeMemory(as: UInt8.self, repeating: 0, count: 512)
    guard linuxStatfs(path, buffer) == 0 else { return nil }
    return UInt64(truncatingIfNeeded: buffer.load(as: Int.self))
}

@_silgen_name("statfs")
private func linuxStatfs(_ path: UnsafePointer<CChar>, _ buffer: UnsafeMutableRawPointer) -> Int32
