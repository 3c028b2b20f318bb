import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The write rules of the design, as POSIX calls.
///
/// - Replace: temp file in the same directory, write, `fsync`, `rename`,
///   `fsync` the directory.
/// - Create once: temp file, write, `fsync`, `link` to the final name (fails
///   if it exists), `unlink` the temp file, `fsync` the directory.
///
/// A crash at any point leaves the old state or the new one, never a torn
/// file; what can be left behind is a temp file whose name starts with
/// `FileIO.tempPrefix`, which readers ignore and recovery removes.
public enum FileIO {
    /// Every temporary name starts with this; the watcher ignores such names.
    public static let tempPrefix = ".tmp-"

    /// Writes `data` to `path` atomically, replacing any previous file.
    ///
    /// - Parameter syncingDirectory: `false` skips the directory `fsync`
    ///   that makes the rename durable. Only for a file whose previous
    ///   version is still a correct state after a crash, or when the caller
    ///   `fsync`s the same directory before it acknowledges anything.
    static func replace(_ data: Data, at path: String, mode: mode_t = 0o644, syncingDirectory: Bool = true) throws {
        let temp = try writeTemp(data, near: path, mode: mode)
        guard rename(temp, path) == 0 else {
            let code = errno
            unlink(temp)
            throw StoreError.system("rename", path, errno: code)
        }
        if syncingDirectory { try syncDirectory(of: path) }
    }

    /// Creates `path` (which must not exist) read-only with `data`, `fsync`ed;
    /// for files inside a directory that is still private (a bundle or run
    /// being built under a temp name), so no temp-and-link is needed. The
    /// caller `fsync`s the directories.
    static func createReadOnly(_ data: Data, at path: String) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
        guard fd >= 0 else { throw StoreError.system("create", path) }
        defer { close(fd) }
        try writeAll(data, to: fd, path: path)
        guard fsync(fd) == 0 else { throw StoreError.system("fsync", path) }
    }

    /// Creates `path` with `data` only if nothing exists there.
    ///
    /// - Returns: `false` when `path` already existed (nothing was changed).
    @discardableResult
    static func createExclusively(_ data: Data, at path: String, mode: mode_t = 0o644) throws -> Bool {
        let temp = try writeTemp(data, near: path, mode: mode)
        defer { unlink(temp) }
        guard link(temp, path) == 0 else {
            if errno == EEXIST { return false }
            throw StoreError.system("link", path)
        }
        unlink(temp)
        try syncDirectory(of: path)
        return true
    }

    /// Removes `path` and makes the removal durable. Missing files are not an error.
    ///
    /// - Returns: whether a file was removed.
    @discardableResult
    static func remove(_ path: String) throws -> Bool {
        guard unlink(path) == 0 else {
            if errno == ENOENT { return false }
            throw StoreError.system("unlink", path)
        }
        try syncDirectory(of: path)
        return true
    }

    /// Reads a whole file, or `nil` when it does not exist.
    static func read(_ path: String) throws -> Data? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw StoreError.system("open", path)
        }
        defer { close(fd) }
        var result = Data()
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw StoreError.system("read", path)
            }
            if count == 0 { break }
            result.append(contentsOf: chunk[0..<count])
        }
        return result
    }

    static func exists(_ path: String) -> Bool {
        access(path, F_OK) == 0
    }

    public static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR
    }

    /// Creates a directory (and its missing parents), making each new entry durable.
    static func makeDirectory(_ path: String) throws {
        if isDirectory(path) { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try makeDirectory(parent) }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else {
            throw StoreError.system("mkdir", path)
        }
        try syncDirectory(of: path)
    }

    /// The names in a directory, without `.` and `..`; empty when it does not exist.
    static func list(_ directory: String) throws -> [String] {
        guard let dir = opendir(directory) else {
            if errno == ENOENT { return [] }
            throw StoreError.system("opendir", directory)
        }
        defer { closedir(dir) }
        var names: [String] = []
        // A `dirent` from `readdir` is only `d_reclen` bytes long, often less than
        // `MemoryLayout<dirent>.size`: reading `entry.pointee` would copy past the
        // end of the kernel's buffer (a crash when that is the end of a page), so
        // the name is read in place.
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        while let entry = readdir(dir) {
            let name = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
            if name != "." && name != ".." { names.append(name) }
        }
        return names.sorted()
    }

    /// `fsync` of the directory that holds `path`, so a new name survives a crash.
    static func syncDirectory(of path: String) throws {
        try syncDirectory((path as NSString).deletingLastPathComponent)
    }

    static func syncDirectory(_ directory: String) throws {
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.system("open", directory) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw StoreError.system("fsync", directory) }
    }

    /// Writes all of `data` to `fd` (retrying short writes and `EINTR`).
    static func writeAll(_ data: Data, to fd: Int32, path: String) throws {
        try data.withUnsafeBytes { buffer in
            var offset = 0
            while offset < buffer.count {
                let written = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw StoreError.system("write", path)
                }
                offset += written
            }
        }
    }

    /// Reads `count` bytes at `offset` of an open file (fewer at its end).
    static func read(_ fd: Int32, offset: Int, count: Int, path: String) throws -> Data {
        var buffer = [UInt8](repeating: 0, count: count)
        var done = 0
        while done < count {
            let got = buffer.withUnsafeMutableBytes { pread(fd, $0.baseAddress! + done, count - done, off_t(offset + done)) }
            if got < 0 {
                if errno == EINTR { continue }
                throw StoreError.system("read", path)
            }
            if got == 0 { break }
            done += got
        }
        return Data(buffer[0..<done])
    }

    /// Writes `data` to a new temp file beside `path` and `fsync`s it.
    private static func writeTemp(_ data: Data, near path: String, mode: mode_t) throws -> String {
        let directory = (path as NSString).deletingLastPathComponent
        let temp = directory + "/" + tempPrefix + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw StoreError.system("create", temp) }
        do {
            try writeAll(data, to: fd, path: path)
            guard fsync(fd) == 0 else { throw StoreError.system("fsync", path) }
            guard fchmod(fd, mode) == 0 else { throw StoreError.system("chmod", path) }
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        close(fd)
        return temp
    }
}
