import Foundation
#if canImport(Glibc)
import Glibc
#endif

extension AuditLog {
    /// Room made at the end of the trail, before a change, for the change's
    /// entries (a draft entry with its message ≤ 64 KiB is the largest).
    static let reservedBytes = 64 * 1024

    /// Makes sure the trail can grow by `reservedBytes` before a change is
    /// made, so that a full disk refuses the change itself (507, no file
    /// touched) rather than the audit line written after the change is on
    /// disk. The blocks are allocated past the end with
    /// `fallocate(FALLOC_FL_KEEP_SIZE)` (the size and the content stay as they
    /// are; the appends that follow use them), and the process's file size
    /// limit (`RLIMIT_FSIZE`) is compared. File systems that cannot
    /// preallocate are left to the append itself. Call with the mutex held.
    func reserveLocked() throws {
        let fd = open(path, O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return }
            throw StoreError.system("open", path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw StoreError.system("stat", path) }
        var limit = rlimit()
        if getrlimit(__rlimit_resource_t(RLIMIT_FSIZE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max,  // RLIM_INFINITY
           UInt64(info.st_size) + UInt64(Self.reservedBytes) > UInt64(limit.rlim_cur) {
            throw StoreError.storageFull(path: path)
        }
        // Room an earlier change made and no append has used yet is room still.
        let blockSize = max(Int64(info.st_blksize), 512)
        let used = (Int64(info.st_size) + blockSize - 1) / blockSize * blockSize
        if Int64(info.st_blocks) * 512 - used >= Int64(Self.reservedBytes) { return }
        let keepSize: Int32 = 0x01  // FALLOC_FL_KEEP_SIZE (linux/falloc.h)
        guard linuxFallocate(fd, keepSize, info.st_size, off_t(Self.reservedBytes)) == 0 else {
            let code = errno
            if code == EOPNOTSUPP || code == ENOSYS || code == EINVAL { return }
            throw StoreError.system("fallocate", path, errno: code)
        }
    }
}

/// glibc's `fallocate(2)`: Swift's Glibc module is built without
/// `_GNU_SOURCE`, which hides the declaration, so it is named here
/// (int, int, off_t, off_t → int: the same registers in the Swift and C
/// conventions on Linux).
@_silgen_name("fallocate")
private func linuxFallocate(_ fd: Int32, _ mode: Int32, _ offset: off_t, _ length: off_t) -> Int32

extension ProjectMutex {
    /// `withLock` for a change the audit trail records: once the mutex is
    /// held, room for the change's audit entries is made (or the change is
    /// refused with `storageFull`) before `body` touches any file.
    func change<T>(auditedIn audit: AuditLog, _ body: () throws -> T) throws -> T {
        try withLock {
            try audit.reserveLocked()
            return try body()
        }
    }
}
