import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `audit.jsonl`: the project's append-only, hash-chained audit trail.
///
/// Appends happen with the project mutex held (the chain is one sequence
/// even with several processes on a root) and are `fsync`ed before they
/// return, so an acknowledged action always has its entry on disk. The log
/// holds no state in memory: the last line is read back before each append.
public struct AuditLog: Sendable {
    public let path: String
    /// Told of every entry appended (see `AuditObserver`).
    let observer: (any AuditObserver)?

    public init(path: String, observer: (any AuditObserver)? = nil) {
        self.path = path
        self.observer = observer
    }

    /// Appends `event` as the next entry. Call with the project mutex held.
    ///
    /// A last line without its newline can only be a crashed append that
    /// was never acknowledged: it is cut off and an `audit.repaired` entry
    /// names its length and hash before `event` is written.
    @discardableResult
    func appendLocked(_ event: AuditEvent, now: Date = Date()) throws -> AuditEntry {
        let isNew = !FileIO.exists(path)
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.system("open", path) }
        defer { close(fd) }
        var tail = try lastLine(fd)
        if let torn = tail.torn {
            guard ftruncate(fd, off_t(torn.offset)) == 0 else { throw StoreError.system("truncate", path) }
            let repair = AuditEvent(.auditRepaired, by: .server, data: [
                "dropped_bytes": .int(torn.bytes.count), "dropped_sha256": .string(Digest.sha256(torn.bytes)),
            ])
            tail = Tail(previous: try write(repair, after: tail.previous, fd: fd, now: now), torn: nil)
        }
        let entry = try write(event, after: tail.previous, fd: fd, now: now)
        guard fsync(fd) == 0 else { throw StoreError.system("fsync", path) }
        if isNew { try FileIO.syncDirectory(of: path) }
        observer?.appended(entry.entry, lineSHA256: entry.hash)
        return entry.entry
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

    // MARK: - Writing

    /// The last complete line (its entry and hash) and a torn remainder after it.
    private struct Tail {
        var previous: Written?
        var torn: (offset: Int, bytes: Data)?
    }

    private struct Written {
        var entry: AuditEntry
        var hash: String
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
        return Written(entry: entry, hash: Digest.sha256(line))
    }

    /// Reads backwards from the end of the file until the last complete line is found.
    private func lastLine(_ fd: Int32) throws -> Tail {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw StoreError.system("stat", path) }
        let size = Int(info.st_size)
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
            return Tail(previous: Written(entry: entry, hash: Digest.sha256(line)), torn: torn)
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
