import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `fsync(2)` of several files or directories at once, on helper threads.
///
/// Concurrent flushes share the disk's work: on ext4 with a journal and on
/// XFS every `fsync` waiting for the same journal commit (or log force) is
/// answered by that one commit, and without a journal the block layer still
/// merges the cache flushes that arrive while one is in flight. One thread
/// calling `fsync` on three paths in a row pays three flushes; three threads
/// calling it at once pay about one.
enum ParallelFsync {
    /// The helper threads, started on first use and kept for the process:
    /// `FOUNDRY_FSYNC_HELPERS` of them (default 8; 0 flushes one path after
    /// the other on the calling thread).
    private static let helpers: FsyncHelpers? = {
        let count = ProcessInfo.processInfo.environment["FOUNDRY_FSYNC_HELPERS"].flatMap { Int($0) } ?? 8
        return count > 0 ? FsyncHelpers(count: count) : nil
    }()

    /// Flushes every path (files and directories alike) and returns when all
    /// are durable. A path that no longer exists is skipped (a directory
    /// renamed or removed since is not this flush's to make durable).
    /// Throws the first failure, naming its path.
    static func sync(_ paths: some Collection<String>) throws {
        let paths = Array(paths)
        switch paths.count {
        case 0: return
        case 1: try syncPath(paths[0])
        default: try run(paths.count) { try syncPath(paths[$0]) }
        }
    }

    /// Flushes open files (staged temp files), the same way.
    static func sync(descriptors: [(fd: Int32, path: String)]) throws {
        switch descriptors.count {
        case 0: return
        case 1: try syncDescriptor(descriptors[0].fd, path: descriptors[0].path)
        default: try run(descriptors.count) { try syncDescriptor(descriptors[$0].fd, path: descriptors[$0].path) }
        }
    }

    /// Flushes open files and paths together.
    static func sync(files: [(fd: Int32, path: String)], paths: [String]) throws {
        let count = files.count + paths.count
        if count <= 1 {
            try sync(descriptors: files)
            try sync(paths)
            return
        }
        try run(count) { index in
            if index < files.count { try syncDescriptor(files[index].fd, path: files[index].path) } else { try syncPath(paths[index - files.count]) }
        }
    }

    /// Runs `work(0..<count)` on the helpers and this thread, or one after the other.
    private static func run(_ count: Int, _ work: @escaping (Int) throws -> Void) throws {
        guard let helpers else {
            for index in 0..<count { try work(index) }
            return
        }
        try helpers.run(count, work)
    }

    static func syncPath(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return }
            throw StoreError.system("open", path)
        }
        defer { close(fd) }
        try syncDescriptor(fd, path: path)
    }

    private static func syncDescriptor(_ fd: Int32, path: String) throws {
        while fsync(fd) != 0 {
            guard errno == EINTR else { throw StoreError.system("fsync", path) }
        }
    }
}

/// A fixed set of threads that run the items of one batch at a time
/// alongside the caller: each thread (the caller too) takes the next
/// unclaimed item until none is left, and the caller returns when every
/// item has finished.
private final class FsyncHelpers: Sendable {
    /// One `run` call: its items, the next unclaimed one, how many are done, the first error.
    private final class Batch: @unchecked Sendable {
        // Guarded by `FsyncHelpers.condition` (every read and write happens with it locked).
        let count: Int
        let work: (Int) throws -> Void
        var next = 0
        var finished = 0
        var failure: (any Error)?

        init(count: Int, work: @escaping (Int) throws -> Void) {
            self.count = count
            self.work = work
        }
    }

    private let condition = ThreadCondition()
    private let batches = ThreadConfined<[Batch]>([])
    private let started = ThreadConfined(false)
    private let count: Int

    init(count: Int) {
        self.count = count
    }

    func run(_ items: Int, _ work: @escaping (Int) throws -> Void) throws {
        let batch = Batch(count: items, work: work)
        condition.locked {
            startIfNeeded()
            batches.value.append(batch)
            condition.broadcast()
        }
        drain(batch)
        condition.locked {
            while batch.finished < batch.count { condition.wait() }
        }
        if let failure = batch.failure { throw failure }
    }

    /// Runs items of `batch` until none is left unclaimed. Called with the lock not held.
    private func drain(_ batch: Batch) {
        while true {
            let index: Int? = condition.locked {
                guard batch.next < batch.count else { return nil }
                batch.next += 1
                if batch.next == batch.count { batches.value.removeAll { $0 === batch } }
                return batch.next - 1
            }
            guard let index else { return }
            var failure: (any Error)?
            do { try batch.work(index) } catch { failure = error }
            condition.locked {
                batch.finished += 1
                if batch.failure == nil { batch.failure = failure }
                if batch.finished == batch.count { condition.broadcast() }
            }
        }
    }

    /// Starts the threads once; call with the lock held.
    private func startIfNeeded() {
        guard !started.value else { return }
        started.value = true
        for index in 0..<count {
            let thread = Thread { [self] in helperLoop() }
            thread.name = "foundry-fsync-\(index)"
            thread.stackSize = 256 * 1024
            thread.start()
        }
    }

    private func helperLoop() {
        while true {
            let batch: Batch = condition.locked {
                while batches.value.isEmpty { condition.wait() }
                return batches.value[0]
            }
            drain(batch)
        }
    }
}

/// A value only read and written while a `ThreadCondition` is locked.
///
/// `@unchecked Sendable` is sound because of that rule, which every user in
/// this folder keeps (each access sits inside `condition.locked { … }` or
/// between `lock()` and `unlock()`).
final class ThreadConfined<Value>: @unchecked Sendable {
    var value: Value

    init(_ value: Value) {
        self.value = value
    }
}
