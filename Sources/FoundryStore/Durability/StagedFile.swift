import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A new file's bytes written under a temp name in the directory of its
/// final name, not yet flushed and not yet named.
///
/// The write rule it serves: a file's bytes are durable before any name
/// points to it. `ChangeWrites.flush()` flushes every staged file of a
/// change at once; only then may `ChangeWrites.link` or `rename` give it its
/// name. A staged file that is never placed is removed again (`discard`),
/// so a refused change leaves no file; a crash leaves at most a `.tmp-`
/// file, which readers ignore and recovery removes.
///
/// Used by one thread at a time (the change that staged it).
final class StagedFile {
    let path: String
    let temp: String
    let mode: mode_t
    private(set) var fd: Int32
    /// Its bytes are durable (flushed by `ChangeWrites.flush` or `StagedBlobs.flush`).
    var isSynced = false
    /// The temp name is gone (renamed to the final name, or removed).
    var isTempGone = false

    /// Writes `data` to a new temp file beside `path`, without flushing it.
    init(_ data: Data, for path: String, mode: mode_t = 0o644) throws {
        let directory = (path as NSString).deletingLastPathComponent
        let temp = directory + "/" + FileIO.tempPrefix + String(UInt64.random(in: 0...UInt64.max), radix: 36)
        let fd = open(temp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw StoreError.system("create", temp) }
        do {
            try FileIO.writeAll(data, to: fd, path: path)
            guard fchmod(fd, mode) == 0 else { throw StoreError.system("chmod", path) }
        } catch {
            close(fd)
            unlink(temp)
            throw error
        }
        self.path = path
        self.temp = temp
        self.mode = mode
        self.fd = fd
    }

    deinit {
        discard()
    }

    var directory: String { (path as NSString).deletingLastPathComponent }

    /// Closes the file and removes its temp name if it still has one: after a
    /// `link` the final name keeps the bytes; never named, they are gone.
    func discard() {
        if fd >= 0 {
            close(fd)
            fd = -1
        }
        if !isTempGone {
            unlink(temp)
            isTempGone = true
        }
    }
}
