import Foundation

/// An exclusive `flock(2)` on a project's `.mutex` file, held while a change
/// to the project's lock table or history is decided and written.
///
/// `flock` conflicts between separate open file descriptions, so it
/// serializes threads of this process and other processes (a second server,
/// the `foundry` CLI) on the same root alike.
struct ProjectMutex: Sendable {
    let path: String

    func withLock<T>(_ body: () throws -> T) throws -> T {
        let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.system("open", path) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw StoreError.system("flock", path) }
        }
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}

extension ProjectMutex {
    /// Runs `body` under a shared `flock` of the mutex file: readers that
    /// need the state between two changes (`foundry verify` beside a running
    /// server) wait for a change in progress, and do not block each other.
    /// Never creates the file; without it (or on a read-only copy of a
    /// workspace, which has no writers) `body` runs unlocked.
    func withSharedLock<T>(_ body: () throws -> T) rethrows -> T {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return try body() }
        defer { close(fd) }
        while flock(fd, LOCK_SH) != 0, errno == EINTR {}
        defer { flock(fd, LOCK_UN) }
        return try body()
    }
}
