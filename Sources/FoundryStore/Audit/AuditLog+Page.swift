import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Pages of the trail that cost what they return, not what came before:
/// an oldest-first page starts at the line after its cursor (found through
/// `AuditLineIndex`), a newest-first page reads backwards from the end (or
/// from the line of its cursor). Reading stops once the page is full and
/// one more match shows there is a next page; a filter that matches rarely
/// reads on until it has found enough.
extension AuditLog {
    /// The entries matching `query`, at most `query.limit`, in the order it asks.
    /// Unreadable lines are skipped here; `foundry verify` reports them.
    public func page(_ query: AuditQuery) throws -> AuditPage {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return AuditPage(entries: []) }
            throw StoreError.system("open", path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw StoreError.system("stat", path) }
        let file = AuditMemory.FileKey(info)
        let size = Int(info.st_size)
        var found: [AuditEntry] = []
        var more = false
        let collect: (Data) -> Bool = { line in
            guard let entry = try? JSONDecoder().decode(AuditEntry.self, from: line), query.matches(entry) else { return true }
            if found.count == query.limit {
                more = true
                return false
            }
            found.append(entry)
            return true
        }
        if query.newestFirst {
            let end = try query.before.map { try lineStart($0, fd, file: file, size: size) ?? size } ?? size
            try forEachLine(fd, backwardFrom: end, size: size, collect)
            return AuditPage(entries: found, nextBefore: more ? found.last?.seq : nil)
        }
        // Lines are numbered by their seq; a first line that says otherwise means
        // the file changed under the index (it is rebuilt), or is damaged (read it all).
        var start = query.after == 0 ? 0 : try lineStart(query.after + 1, fd, file: file, size: size)
        if let offset = start, offset > 0, try firstSeq(fd, at: offset, size: size) != query.after + 1 {
            memory.index.withLock { $0 = nil }
            start = try lineStart(query.after + 1, fd, file: file, size: size)
            if let offset = start, try firstSeq(fd, at: offset, size: size) != query.after + 1 { start = 0 }
        }
        guard let start else { return AuditPage(entries: []) }
        try forEachLine(fd, forwardFrom: start, size: size, collect)
        return AuditPage(entries: found, nextAfter: more ? found.last?.seq : nil)
    }

    /// Where line `line` starts, through the index this process keeps for the file.
    private func lineStart(_ line: Int, _ fd: Int32, file: AuditMemory.FileKey, size: Int) throws -> Int? {
        try memory.index.withLock { index in
            if index?.file != file || (index?.scanned ?? 0) > size { index = AuditLineIndex(file: file) }
            try index!.extend(fd, to: size, path: path)
            return try index!.offset(ofLine: line, fd, path: path)
        }
    }

    private func firstSeq(_ fd: Int32, at offset: Int, size: Int) throws -> Int? {
        var seq: Int?
        try forEachLine(fd, forwardFrom: offset, size: size) { line in
            seq = (try? JSONDecoder().decode(AuditEntry.self, from: line))?.seq
            return false
        }
        return seq
    }

    /// Calls `body` with each complete line (without its newline) from
    /// `offset` on, oldest first, until it returns `false`.
    func forEachLine(_ fd: Int32, forwardFrom offset: Int, size: Int, _ body: (Data) -> Bool) throws {
        var position = offset
        var carry = Data()
        var chunkSize = 8 * 1024
        while position < size {
            var chunk = try FileIO.read(fd, offset: position, count: min(chunkSize, size - position), path: path)
            chunkSize = min(chunkSize * 2, 256 * 1024)
            guard !chunk.isEmpty else { return }
            position += chunk.count
            if !carry.isEmpty {
                chunk = carry + chunk
                carry = Data()
            }
            var start = chunk.startIndex
            while let end = chunk[start...].firstIndex(of: UInt8(ascii: "\n")) {
                if end > start, !body(Data(chunk[start..<end])) { return }
                start = end + 1
            }
            carry = Data(chunk[start...])
        }
    }

    /// Calls `body` with each complete line (without its newline) that ends
    /// before `end`, newest first, until it returns `false`. A last line
    /// without its newline (an append in progress, or cut by a crash) is not
    /// a line yet.
    func forEachLine(_ fd: Int32, backwardFrom end: Int, size: Int, _ body: (Data) -> Bool) throws {
        var position = end
        // Bytes from a line's end back to where the chunks read so far begin: the line's start is earlier.
        var pending = Data()
        var skippedTorn = end < size
        // A page of a few entries is a few kilobytes: read that much first, more as it goes on.
        var chunkSize = 8 * 1024
        while position > 0 {
            let start = max(0, position - chunkSize)
            chunkSize = min(chunkSize * 2, 256 * 1024)
            var chunk = try FileIO.read(fd, offset: start, count: position - start, path: path)
            position = start
            chunk.append(pending)
            if !skippedTorn {
                skippedTorn = true
                guard let last = chunk.lastIndex(of: UInt8(ascii: "\n")) else {
                    pending = Data()
                    continue
                }
                chunk = Data(chunk[...last])
            }
            let newlines = chunk.indices.filter { chunk[$0] == UInt8(ascii: "\n") }
            guard let first = newlines.first else {
                pending = chunk
                continue
            }
            for (earlier, later) in zip(newlines.dropLast(), newlines.dropFirst()).reversed() where later > earlier + 1 {
                if !body(Data(chunk[(earlier + 1)..<later])) { return }
            }
            pending = Data(chunk[chunk.startIndex...first])
        }
        if pending.count > 1, !body(Data(pending.dropLast())) { return }
    }
}
