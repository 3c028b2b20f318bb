import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The blobs of a change's new texts, written under temp names in their
/// prefix directories before the change takes the project mutex (hashing
/// and writing need no decision), flushed with the change's own files and
/// named (`link`) only once the change is decided. A refused change names
/// none of them: `discard` removes the temp files and any prefix directory
/// created for them that is still empty, so nothing is left.
///
/// Used by one thread (the request's).
final class StagedBlobs {
    let store: BlobStore
    private(set) var files: [StagedFile] = []
    private var createdDirectories: [String] = []

    init(store: BlobStore) {
        self.store = store
    }

    /// Hashes `text` as field `name` and stages its blob unless one with the
    /// same bytes exists already.
    func entry(for name: FieldName, text: String) throws -> FieldEntry {
        let entry = FieldEntry(describing: text, as: name)
        if !files.contains(where: { $0.path == store.layout.blob(entry.sha256) }) { try stage(Data(text.utf8), hash: entry.sha256) }
        return entry
    }

    private func stage(_ data: Data, hash: String) throws {
        let path = store.layout.blob(hash)
        if FileIO.exists(path) { return }
        let directory = (path as NSString).deletingLastPathComponent
        // A prefix directory another refused change just removed is made again (a second try).
        for attempt in 1...2 {
            if !FileIO.isDirectory(directory) {
                // Made durable at once: a change that names a blob in it must not depend on a flush it does not make.
                try FileIO.makeDirectory(directory)
                createdDirectories.append(directory)
            }
            do {
                files.append(try StagedFile(data, for: path, mode: 0o444))
                return
            } catch StoreError.io(_, "create", ENOENT) where attempt == 1 {
                continue
            }
        }
    }

    /// Flushes the bytes of every staged blob: before the project mutex is
    /// taken, on a file system without a journal, where a blob's bytes must
    /// be durable before its name is made and its name before the record
    /// that refers to it (see `ProjectStore.commitLocked`).
    func flush() throws {
        let open = files.filter { !$0.isSynced && $0.fd >= 0 }
        try ParallelFsync.sync(descriptors: open.map { ($0.fd, $0.path) })
        for file in open { file.isSynced = true }
    }

    /// Names every staged blob (a name that exists already holds the same
    /// bytes: its name is their hash). Call with the mutex held, once their
    /// bytes are flushed.
    ///
    /// - Returns: the blobs this call named.
    func link(in writes: ChangeWrites) throws -> [String] {
        var named: [String] = []
        for file in files where try writes.link(file) { named.append(file.path) }
        return named
    }

    /// Removes what a change that did not happen left: temp files, and
    /// prefix directories made for them and still empty.
    func discard() {
        for file in files { file.discard() }
        for directory in createdDirectories { rmdir(directory) }
    }
}
