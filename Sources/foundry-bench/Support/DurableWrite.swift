import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The fsync limit: bytes made durable the way the store writes a file
/// (temp file beside it, write, `fsync`, rename, `fsync` of the directory)
/// and nothing else — no hashing, no record, no audit line.
enum DurableWrite {
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    static func replace(_ data: Data, at path: String) throws {
        let temp = path + ".tmp"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(description: "open \(temp): errno \(errno)") }
        let written = data.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == data.count, synced == 0 else { throw Failure(description: "write/fsync \(temp): errno \(errno)") }
        guard rename(temp, path) == 0 else { throw Failure(description: "rename \(temp): errno \(errno)") }
        let directory = open((path as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        defer { close(directory) }
        guard directory >= 0, fsync(directory) == 0 else { throw Failure(description: "fsync of the directory of \(path): errno \(errno)") }
    }
}
