import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The files one change writes, in the order the write rules need, and what
/// is left to flush before the change may be acknowledged.
///
/// A change (a save, a lock decision, an audited event) runs under its
/// project's mutex and:
///
/// 1. stages its new files (`stage`): bytes written under temp names;
/// 2. `flush()`es: every staged file's bytes at once (one round of
///    concurrent `fsync`s);
/// 3. names them (`link`: exclusive, for versions, blobs, locks, records;
///    `rename`: replace) and makes any other name change (a lock's
///    tombstone), each recording its directory;
/// 4. `flush()`es again before anything that refers to those names is
///    written: on a file system without a journal that flushes the
///    directories (`FlushOrdering.portable`); with a journal the journal
///    keeps the order and the call costs nothing;
/// 5. appends its audit line (`AuditLog.appendLocked(_:to:)`), which records
///    the audit file.
///
/// What is left (`plan`: the audit file, and any directory not flushed yet)
/// is submitted to the group commit before the mutex is let go
/// (`ProjectMutex.commit`): the change is acknowledged when that round has
/// run. So nothing is ever named before its bytes are durable, and nothing
/// that refers to a name — a record to its blobs, the manifest to the
/// record, an audit line to the change — can reach the disk before it.
///
/// Used by one thread (the one holding the mutex).
final class ChangeWrites {
    let commit: GroupCommit
    private var staged: [StagedFile] = []
    private var touchedDirectories: Set<String> = []
    private var flushedDirectories: Set<String> = []
    private var appendedFiles: Set<String> = []
    private var removalsOnceDurable: Set<String> = []

    init(commit: GroupCommit) {
        self.commit = commit
    }

    /// Whether the file system's journal orders names for us (`FlushOrdering.journalled`).
    var isJournalled: Bool { commit.ordering.isJournalled }

    /// What the group commit still has to flush for this change.
    var plan: FlushPlan {
        FlushPlan(directories: touchedDirectories.subtracting(flushedDirectories), files: appendedFiles, removalsOnceDurable: removalsOnceDurable)
    }

    /// Unlinks `path` once the group commit has made this change durable
    /// (not flushed: the name it removes is harmless either way).
    func removeOnceDurable(_ path: String) {
        removalsOnceDurable.insert(path)
    }

    /// Writes `data` under a temp name beside `path` (not flushed, not named yet).
    func stage(_ data: Data, at path: String, mode: mode_t = 0o644) throws -> StagedFile {
        let file = try StagedFile(data, for: path, mode: mode)
        staged.append(file)
        return file
    }

    /// Takes over a file staged before the change began (a blob written before the mutex was taken).
    func adopt(_ file: StagedFile) {
        staged.append(file)
    }

    /// Makes what was written so far durable, all at once: the bytes of every
    /// staged file, and on a file system without a journal every directory
    /// whose names changed since the last flush.
    func flush() throws {
        let files = staged.filter { !$0.isSynced && $0.fd >= 0 }
        let directories = isJournalled ? [] : Array(touchedDirectories.subtracting(flushedDirectories))
        if directories.isEmpty {
            try ParallelFsync.sync(descriptors: files.map { ($0.fd, $0.path) })
        } else {
            try ParallelFsync.sync(files: files.map { ($0.fd, $0.path) }, paths: directories)
            flushedDirectories.formUnion(directories)
        }
        for file in files { file.isSynced = true }
    }

    /// Gives `file` its final name only if nothing has it yet (`link(2)`).
    ///
    /// - Returns: `false` when the name existed (nothing was changed; the temp is removed).
    @discardableResult
    func link(_ file: StagedFile) throws -> Bool {
        precondition(file.isSynced, "a name may only point to bytes already flushed")
        defer { file.discard() }
        guard Glibc.link(file.temp, file.path) == 0 else {
            if errno == EEXIST { return false }
            throw StoreError.system("link", file.path)
        }
        touched(file.directory)
        return true
    }

    /// Gives `file` its final name, replacing what had it (`rename(2)`).
    func rename(_ file: StagedFile) throws {
        precondition(file.isSynced, "a name may only point to bytes already flushed")
        defer { file.discard() }
        guard Glibc.rename(file.temp, file.path) == 0 else { throw StoreError.system("rename", file.path) }
        file.isTempGone = true
        touched(file.directory)
    }

    /// Gives `file` its final name, replacing what had it, without making the
    /// new name durable: for a file whose previous version is still a correct
    /// state after a crash (`project.json`, whose head only caches the
    /// newest record). Its bytes were flushed all the same, so it is never
    /// replaced by a torn file.
    func replaceWithoutFlush(_ file: StagedFile) throws {
        precondition(file.isSynced, "a name may only point to bytes already flushed")
        defer { file.discard() }
        guard Glibc.rename(file.temp, file.path) == 0 else { throw StoreError.system("rename", file.path) }
        file.isTempGone = true
    }

    /// Renames an existing file within the project (a lock to its tombstone).
    ///
    /// - Returns: `false` when `source` did not exist.
    @discardableResult
    func rename(_ source: String, to destination: String) throws -> Bool {
        guard Glibc.rename(source, destination) == 0 else {
            if errno == ENOENT { return false }
            throw StoreError.system("rename", source)
        }
        touched((source as NSString).deletingLastPathComponent)
        touched((destination as NSString).deletingLastPathComponent)
        return true
    }

    /// Removes a file; a missing file is not an error.
    ///
    /// - Returns: whether a file was removed.
    @discardableResult
    func remove(_ path: String) throws -> Bool {
        guard unlink(path) == 0 else {
            if errno == ENOENT { return false }
            throw StoreError.system("unlink", path)
        }
        touched((path as NSString).deletingLastPathComponent)
        return true
    }

    /// Records that names in `directory` changed (made by this change).
    func touched(_ directory: String) {
        touchedDirectories.insert(directory)
        flushedDirectories.remove(directory)
    }

    /// Records that bytes were appended to `file`.
    func appended(to file: String) {
        appendedFiles.insert(file)
    }

    /// Removes the temp files of staged files that were never named.
    func discardUnplaced() {
        for file in staged { file.discard() }
        staged = []
    }
}
