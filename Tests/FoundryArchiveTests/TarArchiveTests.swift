import Foundation
@testable import FoundryArchive
import Testing

/// The tar + gzip writer, checked with GNU tar and gzip.
@Suite("Deterministic tar.gz")
struct TarArchiveTests {
    static let mtime = 1_795_000_000

    static func sample() -> [TarEntry] {
        TarArchive.addingParentDirectories([
            .file("agent/system_prompt", Data("You are careful.\n".utf8), mtime: mtime),
            .file("agent/tests/bec.jsonl", Data("{\"a\": 1}\n{\"a\": 2}\n".utf8), mtime: mtime),
            .file("agent/empty", Data(), mtime: mtime),
            .file("agent/model_config.json", Data("{\"temperature\": 0.2}\n".utf8), mtime: mtime),
            .file("agent/block", Data(repeating: 0x61, count: 512), mtime: mtime),
        ], mtime: mtime)
    }

    @Test("The same entries in any order give the same bytes")
    func reproducible() throws {
        let entries = Self.sample()
        let first = try Gzip.compress(try TarArchive.make(entries))
        let second = try Gzip.compress(try TarArchive.make(entries.reversed()))
        #expect(first == second)
        // XFL (byte 8) is 0 at zlib's default level 6; OS (byte 9) is 3, Unix.
        #expect(first.prefix(10) == Data([0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0x00, 0x03]), "gzip header: no name, mtime 0")
        var changed = entries
        changed[0].mtime += 1
        #expect(try Gzip.compress(try TarArchive.make(changed)) != first)
    }

    @Test("GNU tar lists the members sorted, owned by 0/0, with the given mtime and modes")
    func gnuTarListing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let archive = directory.path + "/a.tar.gz"
        try Gzip.compress(try TarArchive.make(Self.sample())).write(to: URL(fileURLWithPath: archive))
        let listing = try run("/usr/bin/tar", ["--numeric-owner", "--full-time", "-tvzf", archive], environment: ["TZ": "UTC"])
        #expect(listing.status == 0, "\(listing.output)")
        let lines = listing.output.split(separator: "\n").map(String.init)
        let names = lines.map { $0.split(separator: " ", omittingEmptySubsequences: true).last.map(String.init) ?? "" }
        #expect(names == ["agent/", "agent/block", "agent/empty", "agent/model_config.json", "agent/system_prompt", "agent/tests/", "agent/tests/bec.jsonl"])
        let expected = DateFormatter()
        expected.locale = Locale(identifier: "en_US_POSIX")
        expected.timeZone = TimeZone(identifier: "UTC")
        expected.dateFormat = "yyyy-MM-dd HH:mm:ss"
        let time = expected.string(from: Date(timeIntervalSince1970: TimeInterval(Self.mtime)))
        for line in lines {
            #expect(line.contains(" 0/0 "), "\(line)")
            #expect(line.contains(time), "\(line)")
            #expect(line.hasPrefix(line.hasSuffix("/") ? "drwxr-xr-x" : "-rw-r--r--"), "\(line)")
        }
        let names2 = try run("/usr/bin/tar", ["-tvzf", archive])
        #expect(names2.output.contains("root/root"))
    }

    @Test("tar -xzf gives back every byte; tar -d finds no difference")
    func extract() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let archive = directory.path + "/a.tar.gz"
        let entries = Self.sample()
        try Gzip.compress(try TarArchive.make(entries)).write(to: URL(fileURLWithPath: archive))
        let out = directory.path + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        let extracted = try run("/usr/bin/tar", ["-xzf", archive, "-C", out])
        #expect(extracted.status == 0, "\(extracted.output)")
        for entry in entries {
            guard case .file(let data) = entry.kind else { continue }
            #expect(FileManager.default.contents(atPath: out + "/" + entry.path) == data, "\(entry.path)")
        }
        let compared = try run("/usr/bin/tar", ["-dzf", archive, "-C", out, "--no-same-owner"])
        #expect(compared.output.contains("Contents differ") == false, "\(compared.output)")
        #expect(try run("/usr/bin/gzip", ["-t", archive]).status == 0)
    }

    @Test("Paths beyond ustar's limits travel in pax headers that GNU tar reads")
    func longPaths() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let deep = (1...6).map { String(repeating: Character(String($0)), count: 60) }.joined(separator: "/")
        let long = "top/" + deep + "/" + String(repeating: "f", count: 100)
        let split = "top/" + String(repeating: "d", count: 120) + "/" + String(repeating: "g", count: 90)
        let entries = TarArchive.addingParentDirectories([
            .file(long, Data("long\n".utf8), mtime: Self.mtime),
            .file(split, Data("split\n".utf8), mtime: Self.mtime),
        ], mtime: Self.mtime)
        let archive = directory.path + "/a.tar.gz"
        try Gzip.compress(try TarArchive.make(entries)).write(to: URL(fileURLWithPath: archive))
        let listing = try run("/usr/bin/tar", ["-tzf", archive])
        #expect(listing.status == 0, "\(listing.output)")
        let names = Set(listing.output.split(separator: "\n").map(String.init))
        #expect(names.contains(long))
        #expect(names.contains(split))
        #expect(!names.contains { $0.contains("PaxHeaders") })
        let out = directory.path + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        #expect(try run("/usr/bin/tar", ["-xzf", archive, "-C", out]).status == 0)
        #expect(FileManager.default.contents(atPath: out + "/" + long) == Data("long\n".utf8))
        #expect(FileManager.default.contents(atPath: out + "/" + split) == Data("split\n".utf8))
    }

    @Test("A pax record counts its own length")
    func paxRecordLength() {
        for value in ["a", String(repeating: "x", count: 89), String(repeating: "x", count: 90), String(repeating: "y", count: 995)] {
            let record = TarArchive.paxRecord("path", value)
            let length = Int(record.split(separator: " ")[0])
            #expect(length == record.utf8.count, "\(record.utf8.count)")
        }
    }

    @Test("Unsafe or repeated paths are refused")
    func refused() {
        for path in ["", "/etc/passwd", "a/../b", "a//b", "./a", "a\0b"] {
            #expect(throws: TarError.invalidPath(path)) { try TarArchive.make([.file(path, Data(), mtime: 0)]) }
        }
        #expect(throws: TarError.duplicatePath("a")) { try TarArchive.make([.file("a", Data(), mtime: 0), .file("a", Data("x".utf8), mtime: 0)]) }
    }
}
