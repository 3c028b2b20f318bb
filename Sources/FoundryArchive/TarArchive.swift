import Foundation

/// A deterministic POSIX tar (ustar) writer.
///
/// The bytes are a function of the entries only: members are sorted by path
/// (byte order), owner and group are 0/0 named `root`, and there are no
/// access times, device numbers or host names. A path longer than ustar can
/// hold (100 bytes of name plus 155 of prefix, split at a `/`) gets a pax
/// extended header (`typeflag x`) named `<dir>/PaxHeaders/<base>` before its
/// member, as GNU tar writes it with `--format=posix`; so does a file of
/// 8 GiB or more (`size`).
public enum TarArchive {
    static let blockSize = 512

    /// The archive of `entries`, in path order, ending with two zero blocks.
    public static func make(_ entries: [TarEntry]) throws -> Data {
        let sorted = entries.sorted { Array($0.path.utf8).lexicographicallyPrecedes(Array($1.path.utf8)) }
        var seen = Set<String>()
        var archive = Data()
        for entry in sorted {
            try validate(entry.path)
            guard seen.insert(entry.path).inserted else { throw TarError.duplicatePath(entry.path) }
            append(entry, to: &archive)
        }
        archive.append(Data(count: 2 * blockSize))
        return archive
    }

    /// `entries` plus a directory entry (mode 0755, `mtime`) for every parent
    /// directory of a member that is not already listed.
    public static func addingParentDirectories(_ entries: [TarEntry], mtime: Int) -> [TarEntry] {
        var listed = Set(entries.map(\.path))
        var result = entries
        for entry in entries {
            var parts = entry.path.split(separator: "/").dropLast()
            while !parts.isEmpty {
                let parent = parts.joined(separator: "/")
                if listed.insert(parent).inserted { result.append(.directory(parent, mtime: mtime)) }
                parts = parts.dropLast()
            }
        }
        return result
    }

    private static func validate(_ path: String) throws {
        let segments = path.split(separator: "/", omittingEmptySubsequences: false)
        guard !path.isEmpty, !path.hasPrefix("/"), !path.contains("\0"),
              segments.allSatisfy({ !$0.isEmpty && $0 != "." && $0 != ".." })
        else { throw TarError.invalidPath(path) }
    }

    private static func append(_ entry: TarEntry, to archive: inout Data) {
        let data: Data
        let typeflag: UInt8
        var path = entry.path
        switch entry.kind {
        case .file(let bytes):
            (data, typeflag) = (bytes, UInt8(ascii: "0"))
        case .directory:
            (data, typeflag) = (Data(), UInt8(ascii: "5"))
            path += "/"
        }
        var pax: [(String, String)] = []
        let split = UstarName(path)
        if split == nil { pax.append(("path", path)) }
        if data.count > maxOctal(digits: 11) { pax.append(("size", String(data.count))) }
        if !pax.isEmpty {
            let records = Data(pax.map { paxRecord($0.0, $0.1) }.joined().utf8)
            let header = UstarName(paxHeaderName(for: entry.path)) ?? UstarName(name: "PaxHeaders/entry", prefix: "")
            archive.append(headerBlock(name: header, mode: 0o644, size: records.count, mtime: entry.mtime, typeflag: UInt8(ascii: "x")))
            appendPadded(records, to: &archive)
        }
        let name = split ?? UstarName(name: String(decoding: Array(path.utf8.suffix(100)), as: UTF8.self), prefix: "")
        let size = data.count > maxOctal(digits: 11) ? 0 : data.count
        archive.append(headerBlock(name: name, mode: entry.mode, size: size, mtime: entry.mtime, typeflag: typeflag))
        appendPadded(data, to: &archive)
    }

    /// `<dir>/PaxHeaders/<base>`, cut to fit the name fields.
    private static func paxHeaderName(for path: String) -> String {
        let base = String(decoding: Array((path.split(separator: "/").last ?? "entry").utf8.prefix(90)), as: UTF8.self)
        let directory = path.split(separator: "/").dropLast().joined(separator: "/")
        let prefix = String(decoding: Array(directory.utf8.prefix(140)), as: UTF8.self)
        return prefix.isEmpty ? "PaxHeaders/" + base : prefix + "/PaxHeaders/" + base
    }

    /// One pax record: `"<length> <key>=<value>\n"`, where length counts the whole record.
    static func paxRecord(_ key: String, _ value: String) -> String {
        let body = " \(key)=\(value)\n"
        var length = body.utf8.count + 1
        while String(length).utf8.count + body.utf8.count != length { length = String(length).utf8.count + body.utf8.count }
        return String(length) + body
    }

    private static func appendPadded(_ data: Data, to archive: inout Data) {
        archive.append(data)
        let remainder = data.count % blockSize
        if remainder != 0 { archive.append(Data(count: blockSize - remainder)) }
    }

    private static func headerBlock(name: UstarName, mode: UInt32, size: Int, mtime: Int, typeflag: UInt8) -> Data {
        var block = [UInt8](repeating: 0, count: blockSize)
        func put(_ bytes: some Collection<UInt8>, at offset: Int) {
            for (index, byte) in bytes.enumerated() { block[offset + index] = byte }
        }
        put(name.name.utf8, at: 0)
        put(octal(Int(mode), digits: 7), at: 100)
        put(octal(0, digits: 7), at: 108)
        put(octal(0, digits: 7), at: 116)
        put(octal(size, digits: 11), at: 124)
        put(octal(max(0, min(mtime, maxOctal(digits: 11))), digits: 11), at: 136)
        put(Array("        ".utf8), at: 148)
        block[156] = typeflag
        put("ustar\0".utf8, at: 257)
        put("00".utf8, at: 263)
        put("root".utf8, at: 265)
        put("root".utf8, at: 297)
        put(octal(0, digits: 7), at: 329)
        put(octal(0, digits: 7), at: 337)
        put(name.prefix.utf8, at: 345)
        let checksum = block.reduce(0) { $0 + Int($1) }
        put(octal(checksum, digits: 6) + [UInt8(ascii: " ")], at: 148)
        return Data(block)
    }

    /// `digits` octal digits, zero-padded, then NUL.
    private static func octal(_ value: Int, digits: Int) -> [UInt8] {
        let text = String(value, radix: 8)
        return Array((String(repeating: "0", count: max(0, digits - text.count)) + text).utf8) + [0]
    }

    private static func maxOctal(digits: Int) -> Int { (1 << (3 * digits)) - 1 }
}

/// A path as ustar stores it: `name` (≤ 100 bytes) and `prefix` (≤ 155 bytes),
/// joined by `/` when the prefix is not empty.
struct UstarName {
    var name: String
    var prefix: String

    init(name: String, prefix: String) {
        self.name = name
        self.prefix = prefix
    }

    /// The split of `path`, or `nil` when it does not fit.
    init?(_ path: String) {
        let bytes = Array(path.utf8)
        if bytes.count <= 100 {
            self.init(name: path, prefix: "")
            return
        }
        // The longest prefix that fits leaves the shortest name.
        let directory = path.hasSuffix("/") ? bytes.dropLast() : bytes[...]
        for index in directory.indices.reversed() where directory[index] == UInt8(ascii: "/") {
            let prefix = bytes[..<index], name = bytes[(index + 1)...]
            if prefix.count <= 155, name.count <= 100, !name.isEmpty {
                self.init(name: String(decoding: name, as: UTF8.self), prefix: String(decoding: prefix, as: UTF8.self))
                return
            }
            if name.count > 100 { break }
        }
        return nil
    }
}

/// Why an archive could not be made.
public enum TarError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidPath(String)
    case duplicatePath(String)

    public var description: String {
        switch self {
        case .invalidPath(let path): return "'\(path)' is not a relative path without '.', '..' or empty segments"
        case .duplicatePath(let path): return "'\(path)' is listed twice"
        }
    }
}
