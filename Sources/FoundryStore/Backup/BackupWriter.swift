import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes into the backup destination with the workspace's own durability
/// rules: each file is written to a temp name, `fsync`ed, given the source's
/// mode and modification time and renamed into place; appends are
/// `fsync`ed; every directory that gained or lost a name is `fsync`ed by
/// `syncDirectories()` before the backup reports success.
///
/// A file already in the destination with the same bytes is left alone (its
/// inode and times stay), so a second backup into the same directory
/// rewrites only what changed and a snapshot tool that goes by inode and
/// mtime (restic) reads only that.
final class BackupWriter {
    let root: String
    private(set) var dirtyDirectories: Set<String> = []
    private(set) var filesWritten = 0
    private(set) var bytesWritten = 0
    private(set) var filesRemoved = 0

    init(root: String) {
        self.root = root
    }

    /// Copies a file that never changes once written unless the destination
    /// already has it: same size and modification time (which every copy
    /// keeps), rsync's quick check. A record of another history under the
    /// same name (a backup of a promoted standby into an older backup of its
    /// primary) differs in time and is copied.
    func copyImmutable(from source: String, to destination: String) throws {
        guard let info = Self.status(of: source) else { return }  // a discarded blob of a refused save
        if let existing = Self.status(of: destination), existing.st_size == info.st_size,
           existing.st_mtim.tv_sec == info.st_mtim.tv_sec, existing.st_mtim.tv_nsec == info.st_mtim.tv_nsec { return }
        guard let data = try FileIO.read(source) else { return }
        try write(data, to: destination, like: info)
    }

    /// Writes `data` unless the destination already holds exactly these bytes.
    func replace(_ data: Data, at destination: String, like info: stat) throws {
        if let existing = try FileIO.read(destination), existing == data { return }
        try write(data, to: destination, like: info)
    }

    /// Makes `destination` hold `prefix` bytes of an append-only file plus
    /// `tail`: when the destination is already a copy of the first part (its
    /// last bytes match the source's at the same offset) only what is new is
    /// appended; otherwise the whole file is written anew.
    /// - Returns: the destination's size afterwards.
    @discardableResult
    func append(from source: String, upTo end: Int, to destination: String) throws -> Int {
        guard let info = Self.status(of: source) else { return 0 }
        let sourceFD = open(source, O_RDONLY | O_CLOEXEC)
        guard sourceFD >= 0 else { throw StoreError.system("open", source) }
        defer { close(sourceFD) }
        let have = try matchingPrefix(of: destination, in: sourceFD, source: source, limit: end)
        guard let have else {
            try write(try FileIO.read(sourceFD, offset: 0, count: end, path: source), to: destination, like: info)
            return end
        }
        guard have < end else { return have }
        try appendBytes(try FileIO.read(sourceFD, offset: have, count: end - have, path: source), to: destination, like: info)
        return end
    }

    /// Appends `tail` to a destination file that holds the source's first
    /// bytes (or creates it with `tail` when there is none yet).
    func appendBytes(_ tail: Data, to destination: String, like info: stat) throws {
        guard Self.status(of: destination) != nil else { return try write(tail, to: destination, like: info) }
        guard !tail.isEmpty else { return }
        let fd = open(destination, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.system("open", destination) }
        defer { close(fd) }
        try FileIO.writeAll(tail, to: fd, path: destination)
        try finish(fd, path: destination, like: info)
        filesWritten += 1
        bytesWritten += tail.count
    }

    /// Removes a file the source no longer has (a released lock).
    func remove(_ path: String) throws {
        guard unlink(path) == 0 else {
            if errno == ENOENT { return }
            throw StoreError.system("unlink", path)
        }
        dirtyDirectories.insert((path as NSString).deletingLastPathComponent)
        filesRemoved += 1
    }

    /// Creates a directory and its missing parents, remembering each parent to `fsync`.
    func makeDirectory(_ path: String) throws {
        if FileIO.isDirectory(path) { return }
        let parent = (path as NSString).deletingLastPathComponent
        try makeDirectory(parent)
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw StoreError.system("mkdir", path) }
        dirtyDirectories.insert(parent)
    }

    /// `fsync` of every directory that gained or lost a name, deepest first.
    func syncDirectories() throws {
        for directory in dirtyDirectories.sorted(by: { $0.count > $1.count }) {
            try FileIO.syncDirectory(directory)
        }
        dirtyDirectories.removeAll()
    }

    static func status(of path: String) -> stat? {
        var info = stat()
        return stat(path, &info) == 0 ? info : nil
    }

    // MARK: - Private

    private func write(_ data: Data, to destination: String, like info: stat) throws {
        let directory = (destination as NSString).deletingLastPathComponent
        try makeDirectory(directory)
        let temp = directory + "/" + FileIO.tempPrefix + "backup-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError.system("create", temp) }
        do {
            try FileIO.writeAll(data, to: fd, path: destination)
            try finish(fd, path: destination, like: info)
            close(fd)
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        guard rename(temp, destination) == 0 else {
            let code = errno
            unlink(temp)
            throw StoreError.system("rename", destination, errno: code)
        }
        dirtyDirectories.insert(directory)
        filesWritten += 1
        bytesWritten += data.count
    }

    /// The source's permission bits and access and modification times, then `fsync`.
    private func finish(_ fd: Int32, path: String, like info: stat) throws {
        guard fchmod(fd, info.st_mode & 0o7777) == 0 else { throw StoreError.system("chmod", path) }
        var times = [info.st_atim, info.st_mtim]
        guard futimens(fd, &times) == 0 else { throw StoreError.system("futimens", path) }
        guard fsync(fd) == 0 else { throw StoreError.system("fsync", path) }
    }

    /// How many bytes of the source the destination already holds: its size,
    /// when its last (up to) 4 KiB equal the source's bytes at that offset and
    /// it is no longer than `limit`; `nil` when it must be written anew. For
    /// `audit.jsonl` the match of the last line's bytes proves the whole
    /// prefix: every line holds the hash of the one before.
    private func matchingPrefix(of destination: String, in sourceFD: Int32, source: String, limit: Int) throws -> Int? {
        guard let existing = Self.status(of: destination) else { return nil }
        let size = Int(existing.st_size)
        guard size <= limit else { return nil }
        guard size > 0 else { return 0 }
        let fd = open(destination, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.system("open", destination) }
        defer { close(fd) }
        let window = min(size, 4096)
        let mine = try FileIO.read(fd, offset: size - window, count: window, path: destination)
        let theirs = try FileIO.read(sourceFD, offset: size - window, count: window, path: source)
        return mine == theirs ? size : nil
    }
}
