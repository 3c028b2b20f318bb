import Foundation

/// Content-addressed, write-once storage under `objects/sha256/ab/cdef…`.
///
/// A blob's name is the SHA-256 of its bytes; it is written once (temp file,
/// `fsync`, `link`, directory `fsync`) with mode 0444 and never changed, so
/// equal contents are stored once and `sha256sum` of the file equals its name.
/// A version's new blobs are written as part of its change (`StagedBlobs`):
/// their bytes are flushed with the version's record, and named just before it.
public struct BlobStore: Sendable {
    let layout: ProjectLayout

    /// Stores `data` unless an identical blob exists, durably; returns its SHA-256.
    @discardableResult
    public func put(_ data: Data) throws -> String {
        let hash = Digest.sha256(data)
        let path = layout.blob(hash)
        if FileIO.exists(path) { return hash }
        let directory = (path as NSString).deletingLastPathComponent
        let newDirectory = !FileIO.isDirectory(directory)
        try FileIO.makeDirectory(directory)
        do {
            try FileIO.createExclusively(data, at: path, mode: 0o444)
        } catch {
            // A refused write (disk full) leaves no trace, not even an empty prefix directory.
            if newDirectory { rmdir(directory) }
            throw error
        }
        return hash
    }

    /// Removes blob `sha256` and its prefix directory when that is left
    /// empty. Only for a blob that the change which stored it could not
    /// commit (no record names it); call with the project mutex held.
    func discard(_ sha256: String) {
        let path = layout.blob(sha256)
        guard (try? FileIO.remove(path)) == true else { return }
        rmdir((path as NSString).deletingLastPathComponent)
    }

    /// The bytes of blob `sha256`, checked against their name.
    public func get(_ sha256: String) throws -> Data {
        let path = layout.blob(sha256)
        guard let data = try FileIO.read(path) else {
            throw StoreError.corrupt(path: path, reason: "blob is missing")
        }
        guard Digest.sha256(data) == sha256 else {
            throw StoreError.corrupt(path: path, reason: "blob content does not match its SHA-256 name")
        }
        return data
    }

    /// Every blob hash present on disk, for verification.
    func all() throws -> [String] {
        var hashes: [String] = []
        for prefix in try FileIO.list(layout.objects) where !prefix.hasPrefix(".") {
            for rest in try FileIO.list(layout.objects + "/" + prefix) where !rest.hasPrefix(".") {
                hashes.append(prefix + rest)
            }
        }
        return hashes
    }
}
