import Foundation

/// One member of a tar archive: a regular file with its bytes, or a directory.
///
/// Owner, group and their names are not properties: every entry is written
/// as `root:root` (0/0), so an archive depends only on paths, bytes, modes
/// and times.
public struct TarEntry: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        case file(Data)
        case directory
    }

    /// A relative path with `/` separators, without a trailing `/`.
    public var path: String
    public var kind: Kind
    /// Permission bits (e.g. `0o644`).
    public var mode: UInt32
    /// Seconds since the epoch.
    public var mtime: Int

    public init(path: String, kind: Kind, mode: UInt32, mtime: Int) {
        self.path = path
        self.kind = kind
        self.mode = mode
        self.mtime = mtime
    }

    /// A regular file with mode 0644.
    public static func file(_ path: String, _ data: Data, mtime: Int) -> TarEntry {
        TarEntry(path: path, kind: .file(data), mode: 0o644, mtime: mtime)
    }

    /// A directory with mode 0755.
    public static func directory(_ path: String, mtime: Int) -> TarEntry {
        TarEntry(path: path, kind: .directory, mode: 0o755, mtime: mtime)
    }
}
