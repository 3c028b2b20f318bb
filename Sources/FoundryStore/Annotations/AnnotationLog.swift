import Foundation
import Synchronization

/// One annotation series of a project on disk (`comments/` or `tasks/`):
/// reads its records in order and appends the next one.
///
/// A record is never rewritten, so parsed records are cached; a `stat` per
/// read makes sure a cached record still describes the file (a project
/// directory can be restored from backup by another process).
public final class AnnotationLog<Record: AnnotationRecord>: Sendable {
    public let layout: ProjectLayout
    private let cache = Mutex<[Int: Cached]>([:])

    private struct Cached: Sendable {
        var file: FileIdentity
        var stored: StoredAnnotation<Record>
    }

    init(layout: ProjectLayout) {
        self.layout = layout
    }

    public var directory: String { layout.directory(of: Record.series) }

    /// The record numbers on disk, ascending; temp files and other names are not records.
    public func sequences() throws -> [Int] {
        try FileIO.list(directory).compactMap(AnnotationSeries.sequence(ofFile:)).sorted()
    }

    /// Record `sequence`, or `nil` when its file does not exist; `corrupt` when it does not parse
    /// or names another number than its file.
    public func record(_ sequence: Int) throws -> StoredAnnotation<Record>? {
        let path = layout.annotation(Record.series, sequence)
        guard let file = FileIdentity(path: path) else { return nil }
        if let cached = cache.withLock({ $0[sequence] }), cached.file == file { return cached.stored }
        guard let data = try FileIO.read(path) else { return nil }
        let record = try CanonicalJSON.decode(Record.self, from: data, path: path)
        guard record.sequence == sequence else {
            throw StoreError.corrupt(path: path, reason: "the record says sequence \(record.sequence), its file name \(sequence)")
        }
        let stored = StoredAnnotation(sha256: Digest.sha256(data), record: record)
        cache.withLock { $0[sequence] = Cached(file: file, stored: stored) }
        return stored
    }

    /// Every record, in order.
    public func all() throws -> [StoredAnnotation<Record>] {
        try sequences().compactMap(record)
    }

    /// The records of `sequences` that exist and parse, in order; the
    /// others are skipped (a record still being written by hand, say).
    public func readable(_ sequences: some Sequence<Int>) -> [StoredAnnotation<Record>] {
        sequences.compactMap { try? record($0) }
    }

    /// Writes `make(n)` as record n = last + 1 as part of the change
    /// `writes`: flushed, then created exclusively (`link`), so no record is
    /// ever overwritten, and its name flushed before its audit line is
    /// written. Call with the project mutex held and after every check:
    /// nothing is written before `make` is called.
    func appendLocked(in writes: ChangeWrites, _ make: (Int) throws -> Record) throws -> StoredAnnotation<Record> {
        let sequence = (try sequences().last ?? 0) + 1
        let record = try make(sequence)
        let data = try CanonicalJSON.encode(record)
        try FileIO.makeDirectory(directory)
        let staged = try writes.stage(data, at: layout.annotation(Record.series, sequence))
        try writes.flush()
        guard try writes.link(staged) else {
            throw StoreError.conflict("\(Record.series.relativePath(sequence)) was written by another process; retry")
        }
        try writes.flush()
        return StoredAnnotation(sha256: Digest.sha256(data), record: record)
    }
}
