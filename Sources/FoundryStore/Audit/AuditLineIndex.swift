import Foundation

/// Where the lines of an audit file start: the offset of every 64th line,
/// found once per process by scanning the file for newlines and extended
/// by scanning only what was appended since. A page of entries after (or
/// before) any `seq` is then found by reading at most 64 lines before it,
/// not the file up to it. (`seq` is the line number: `foundry verify`
/// checks that.) It lives in memory only: there is no index file to keep
/// in step with the trail or to check.
struct AuditLineIndex: Sendable {
    static let stride = 64

    let file: AuditMemory.FileKey
    /// The end of the last complete line scanned.
    private(set) var scanned = 0
    /// Complete lines in the bytes scanned.
    private(set) var lines = 0
    /// `checkpoints[k]` is the offset where line `k * stride + 1` starts.
    private var checkpoints = [0]

    init(file: AuditMemory.FileKey) {
        self.file = file
    }

    /// Scans the complete lines between the last scan and `size`.
    mutating func extend(_ fd: Int32, to size: Int, path: String) throws {
        var position = scanned
        while position < size {
            let bytes = try FileIO.read(fd, offset: position, count: min(1 << 20, size - position), path: path)
            guard !bytes.isEmpty else { return }
            for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
                lines += 1
                scanned = position + (index - bytes.startIndex) + 1
                if lines % Self.stride == 0 { checkpoints.append(scanned) }
            }
            position += bytes.count
        }
    }

    /// Where line `line` (1-based) starts, reading at most `stride` lines of
    /// `fd` past the nearest checkpoint; `nil` beyond the last complete line + 1.
    func offset(ofLine line: Int, _ fd: Int32, path: String) throws -> Int? {
        guard line >= 1, line <= lines + 1 else { return nil }
        if line == lines + 1 { return scanned }
        let checkpoint = min((line - 1) / Self.stride, checkpoints.count - 1)
        var current = checkpoint * Self.stride + 1
        let start = checkpoints[checkpoint]
        var position = start
        while current < line {
            let bytes = try FileIO.read(fd, offset: position, count: min(64 * 1024, scanned - position), path: path)
            guard !bytes.isEmpty else { return nil }
            for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
                current += 1
                if current == line { return position + (index - bytes.startIndex) + 1 }
            }
            position += bytes.count
        }
        return start
    }
}
