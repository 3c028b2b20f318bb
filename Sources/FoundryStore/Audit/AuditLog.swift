import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `audit.jsonl`: the project's append-only, hash-chained audit trail.
///
/// Appends happen with the project mutex held (the chain is one sequence
/// even with several processes on a root). An entry is written at once —
/// readers see it — and is durable when the change that wrote it has been
/// flushed: `appendLocked(_:to:)` adds the file to the change's flush plan
/// (see `ChangeWrites`), `appendLocked(_:now:)` flushes before it returns.
/// Either way an acknowledged action has its entry on disk.
///
/// The log remembers the last entry it wrote (`AuditMemory`), so an append
/// reads nothing when the file is as it left it.
public struct AuditLog: Sendable {
    public let path: String
    /// Told of every entry appended (see `AuditObserver`).
    let observer: (any AuditObserver)?
    let memory: AuditMemory

    public init(path: String, observer: (any AuditObserver)? = nil) {
        self.path = path
        self.observer = observer
        self.memory = AuditMemory()
    }

    /// Appends `event` as the next entry and returns once it is durable.
    /// Call with the project mutex held.
    ///
    /// For changes that are not written through `ChangeWrites` (freeze,
    /// runs, recovery), which made their files durable themselves; the
    /// audit file is flushed by the group commit all the same.
    @discardableResult
    func appendLocked(_ event: AuditEvent, now: Date = Date()) throws -> AuditEntry {
        let writes = ChangeWrites(commit: .forFileSystem(of: path))
        let entry = try appendLocked(event, to: writes, now: now)
        try writes.commit.submit(writes.plan).wait()
        return entry
    }

    /// Appends `event` as the next entry of the change `writes`: written at
    /// once, durable when the change is. Call with the project mutex held,
    /// after `writes.flush()` has made the names the entry speaks of durable.
    ///
    /// A last line without its newline can only be a crashed append that
    /// was never acknowledged: it is cut off and an `audit.repaired` entry
    /// names its length and hash before `event` is written.
    @discardableResult
    func appendLocked(_ event: AuditEvent, to writes: ChangeWrites, now: Date = Date()) throws -> AuditEntry {
        let isNew = !FileIO.exists(path)
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.system("open", path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw StoreError.system("stat", path) }
        let file = AuditMemory.FileKey(info)
        var size = Int(info.st_size)
        var tail = try currentTail(fd, file: file, size: size)
        if let torn = tail.torn {
            guard ftruncate(fd, off_t(torn.offset)) == 0 else { throw StoreError.system("truncate", path) }
            size = torn.offset
            let repair = AuditEvent(.auditRepaired, by: .server, data: [
                "dropped_bytes": .int(torn.bytes.count), "dropped_sha256": .string(Digest.sha256(torn.bytes)),
            ])
            let repaired = try write(repair, after: tail.previous, fd: fd, now: now)
            size += repaired.bytes
            tail = Tail(previous: repaired, torn: nil)
        }
        let written = try write(event, after: tail.previous, fd: fd, now: now)
        memory.tail.withLock { $0 = AuditMemory.Tail(file: file, size: size + written.bytes, entry: written.entry, hash: written.hash) }
        writes.appended(to: path)
        if isNew { writes.touched(directory) }
        observer?.appended(written.entry, lineSHA256: written.hash)
        return written.entry
    }

    /// Every entry, oldest first, with the line it was read from.
    public func entries() throws -> [AuditLine] {
        guard let data = try FileIO.read(path) else { return [] }
        var lines: [AuditLine] = []
        let pieces = data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        for (index, bytes) in pieces.enumerated() where !bytes.isEmpty {
            let entry = try? JSONDecoder().decode(AuditEntry.self, from: Data(bytes))
            lines.append(AuditLine(number: index + 1, bytes: Data(bytes), entry: entry, complete: index < pieces.count - 1))
        }
        return lines
    }

    /// The project directory the trail belongs to.
    var directory: String { (path as NSString).deletingLastPathComponent }

    // MARK: - Writing

    /// The last complete line (its entry and hash) and a torn remainder after it.
    struct Tail {
        var previous: Written?
        var torn: (offset: Int, bytes: Data)?
    }

    struct Written {
        var entry: AuditEntry
        var hash: String
        var bytes: Int
    }

    private func write(_ event: AuditEvent, after previous: Written?, fd: Int32, now: Date) throws -> Written {
        let entry = AuditEntry(
            seq: (previous?.entry.seq ?? 0) + 1, ts: Timestamp.string(from: now), type: event.type,
            user: event.actor.user, session: event.actor.session, version: event.version, data: event.data,
            prev: previous?.hash ?? AuditEntry.genesis
        )
        var line = try CanonicalJSON.encodeLine(entry)
        line.append(UInt8(ascii: "\n"))
        try FileIO.writeAll(line, to: fd, path: path)
        return Written(entry: entry, hash: Digest.sha256(line), bytes: line.count)
    }

    /// Where the chain continues: from memory when the file is as this log
    /// left it, else from the file's last line (another process appended, or
    /// the file was replaced or cut).
    private func currentTail(_ fd: Int32, file: AuditMemory.FileKey, size: Int) throws -> Tail {
        if let known = memory.tail.withLock({ $0 }), known.file == file, known.size == size {
            return Tail(previous: Written(entry: known.entry, hash: known.hash, bytes: 0))
        }
        return try lastLine(fd, size: size)
    }

    /// Reads backwards from the end of the file until the last complete line is found.
    private func lastLine(_ fd: Int32, size: Int) throws -> Tail {
        guard size > 0 else { return Tail() }
        var window = 4096
        while true {
            let start = max(0, size - window)
            let chunk = try FileIO.read(fd, offset: start, count: size - start, path: path)
            let newlines = chunk.indices.filter { chunk[$0] == UInt8(ascii: "\n") }
            let endsClean = chunk.last == UInt8(ascii: "\n")
            // The last complete line ends at the last newline; it starts after the newline before it.
            guard let lastEnd = newlines.last else {
                if start == 0 { return Tail(previous: nil, torn: (0, chunk)) }
                window *= 4
                continue
            }
            let previousEnd = newlines.dropLast().last
            if previousEnd == nil, start > 0 {
                window *= 4
                continue
            }
            let lineStart = previousEnd.map { $0 + 1 } ?? chunk.startIndex
            let line = Data(chunk[lineStart...lastEnd])
            guard let entry = try? JSONDecoder().decode(AuditEntry.self, from: line) else {
                throw StoreError.corrupt(path: path, reason: "the last entry is not readable; run `foundry verify` and restore the file before more changes are made")
            }
            let torn = endsClean ? nil : (offset: start + lastEnd + 1, bytes: Data(chunk[(lastEnd + 1)...]))
            return Tail(previous: Written(entry: entry, hash: Digest.sha256(line), bytes: 0), torn: torn)
        }
    }
}

/// One line of the audit file as read back: its number, its exact bytes, and
/// the entry when it parses.
public struct AuditLine: Sendable {
    public var number: Int
    public var bytes: Data
    public var entry: AuditEntry?
    /// `false` for a last line without its newline (an append cut short by a crash).
    public var complete: Bool
}
