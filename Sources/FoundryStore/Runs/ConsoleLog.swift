import CLibCrypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Reading and appending `console.log`.
///
/// Appends use `O_APPEND` and one `write` per line, so lines from one writer
/// never interleave with another's inside a line; readers only ever consume
/// complete lines (up to the last newline), so a line being written is read
/// on the next look.
public enum ConsoleLog {
    /// The complete lines in `[from, end)` (`end` defaults to the file's size),
    /// reading at most about `maxBytes` (more only to finish one long line).
    public static func read(_ path: String, from: Int, end: Int? = nil, maxBytes: Int = 1 << 20) throws -> ConsoleChunk {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return ConsoleChunk(from: from, to: from, entries: [], hasMore: false) }
            throw StoreError.system("open", path)
        }
        defer { close(fd) }
        let size = try fileSize(fd, path: path)
        let limit = min(end ?? size, size)
        guard from < limit else { return ConsoleChunk(from: from, to: from, entries: [], hasMore: false) }
        var window = min(maxBytes, limit - from)
        var data = try FileIO.read(fd, offset: from, count: window, path: path)
        while data.lastIndex(of: UInt8(ascii: "\n")) == nil, from + window < limit {
            window = min(window * 2, limit - from)
            data = try FileIO.read(fd, offset: from, count: window, path: path)
        }
        guard let lastNewline = data.lastIndex(of: UInt8(ascii: "\n")) else {
            return ConsoleChunk(from: from, to: from, entries: [], hasMore: false)
        }
        let consumed = lastNewline - data.startIndex + 1
        var entries: [ConsoleEntry] = []
        var start = data.startIndex
        while start < data.startIndex + consumed {
            let newline = data[start...].firstIndex(of: UInt8(ascii: "\n"))!
            let size = newline - start + 1
            entries.append(ConsoleEntry(offset: from + (start - data.startIndex), line: ConsoleLine.parse(Data(data[start..<newline])), size: size))
            start = newline + 1
        }
        return ConsoleChunk(from: from, to: from + consumed, entries: entries, hasMore: from + consumed < limit && from + window < limit)
    }

    /// The last complete lines of the file within about `budget` bytes before
    /// `end`: what a hub keeps to show a socket that joins mid-run.
    public static func tail(_ path: String, end: Int? = nil, budget: Int) throws -> ConsoleChunk {
        let total = try end ?? size(path)
        let last = try completeEnd(path, end: total)
        guard last > 0 else { return ConsoleChunk(from: 0, to: 0, entries: [], hasMore: false) }
        let start = try lineStart(path, atOrAfter: max(0, last - budget), end: last)
        var chunk = ConsoleChunk(from: start, to: start, entries: [], hasMore: false)
        while chunk.to < last {
            let next = try read(path, from: chunk.to, end: last)
            guard next.to > chunk.to else { break }
            chunk.entries += next.entries
            chunk.to = next.to
        }
        return chunk
    }

    /// The first offset at or after `position` (and before `end`) where a line begins; `end` when none does.
    static func lineStart(_ path: String, atOrAfter position: Int, end: Int) throws -> Int {
        guard position > 0 else { return 0 }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.system("open", path) }
        defer { close(fd) }
        var cursor = position - 1
        while cursor < end {
            let data = try FileIO.read(fd, offset: cursor, count: min(65_536, end - cursor), path: path)
            if let newline = data.firstIndex(of: UInt8(ascii: "\n")) { return min(end, cursor + (newline - data.startIndex) + 1) }
            if data.isEmpty { break }
            cursor += data.count
        }
        return end
    }

    /// The offset just after the last newline before `end`.
    public static func completeEnd(_ path: String, end: Int) throws -> Int {
        guard end > 0 else { return 0 }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return 0 }
            throw StoreError.system("open", path)
        }
        defer { close(fd) }
        var position = end
        while position > 0 {
            let start = max(0, position - 65_536)
            let data = try FileIO.read(fd, offset: start, count: position - start, path: path)
            if let newline = data.lastIndex(of: UInt8(ascii: "\n")) { return start + (newline - data.startIndex) + 1 }
            position = start
        }
        return 0
    }

    /// The raw bytes in `[from, to)`.
    public static func bytes(_ path: String, from: Int, to: Int) throws -> Data {
        guard to > from else { return Data() }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw StoreError.system("open", path) }
        defer { close(fd) }
        return try FileIO.read(fd, offset: from, count: to - from, path: path)
    }

    /// The file's size, 0 when it does not exist.
    public static func size(_ path: String) throws -> Int {
        var info = stat()
        guard stat(path, &info) == 0 else {
            if errno == ENOENT { return 0 }
            throw StoreError.system("stat", path)
        }
        return Int(info.st_size)
    }

    /// Size and SHA-256 of the whole file, read in one pass (so they agree even if it grows meanwhile).
    public static func seal(_ path: String) throws -> (bytes: Int, sha256: String) {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return (0, Digest.sha256(Data())) }
            throw StoreError.system("open", path)
        }
        defer { close(fd) }
        guard let context = EVP_MD_CTX_new() else { throw StoreError.io(path: path, operation: "hash", errno: ENOMEM) }
        defer { EVP_MD_CTX_free(context) }
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var total = 0
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw StoreError.system("read", path)
            }
            if count == 0 { break }
            EVP_DigestUpdate(context, chunk, count)
            total += count
        }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return (total, Digest.hex(digest[0..<Int(length)]))
    }

    private static func fileSize(_ fd: Int32, path: String) throws -> Int {
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw StoreError.system("stat", path) }
        return Int(info.st_size)
    }
}

/// An open `console.log` for appending, owned by one writer (a run's output
/// thread, or one HTTP append under the project mutex).
public final class ConsoleWriter {
    public let path: String
    private let fd: Int32
    /// The file's size: what was there when opened plus what this writer added.
    public private(set) var size: Int
    private var unsynced = false

    public init(path: String) throws {
        self.path = path
        fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw StoreError.system("open", path) }
        var info = stat()
        guard fstat(fd, &info) == 0 else {
            close(fd)
            throw StoreError.system("stat", path)
        }
        size = Int(info.st_size)
    }

    /// Appends one encoded line with a single `write`.
    public func append(_ line: ConsoleLine) throws {
        let data = line.encoded
        try FileIO.writeAll(data, to: fd, path: path)
        size += data.count
        unsynced = true
    }

    /// `fsync`s what was appended since the last call.
    public func sync() throws {
        guard unsynced else { return }
        guard fsync(fd) == 0 else { throw StoreError.system("fsync", path) }
        unsynced = false
    }

    deinit {
        close(fd)
    }
}
