import Foundation
import FoundryDiff

/// A tiny deterministic generator (SplitMix64), so every random round can be replayed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

func side(_ text: String) -> DiffSide {
    DiffSide(text: text, hash: String(UInt64(bitPattern: Int64(text.hashValue)), radix: 16).padding(toLength: 64, withPad: "0", startingAt: 0))
}

/// A scratch directory holding one version's fields as files.
struct Tree {
    let path = NSTemporaryDirectory() + "foundry-diff-" + UUID().uuidString

    func write(_ fields: [String: String]) throws {
        for (name, text) in fields {
            let file = path + "/" + name
            try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        }
    }

    /// Every regular file below the tree with its text.
    func read() throws -> [String: String] {
        var fields: [String: String] = [:]
        let enumerator = FileManager.default.enumerator(atPath: path)
        while let relative = enumerator?.nextObject() as? String {
            var isDirectory: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: path + "/" + relative, isDirectory: &isDirectory)
            if !isDirectory.boolValue, !relative.hasPrefix(".git") {
                fields[relative] = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path + "/" + relative)), as: UTF8.self)
            }
        }
        return fields
    }

    func remove() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// Runs a program with optional standard input; returns its status and combined output.
@discardableResult
func run(_ executable: String, _ arguments: [String], in directory: String, input: String? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.currentDirectoryURL = URL(fileURLWithPath: directory)
    let output = Pipe()
    process.standardOutput = output
    process.standardError = output
    let stdin = Pipe()
    process.standardInput = stdin
    try process.run()
    if let input { stdin.fileHandleForWriting.write(Data(input.utf8)) }
    try stdin.fileHandleForWriting.close()
    let data = output.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Applies JSON hunks to `old` in Swift: what an IDE does with `format=json`.
func apply(_ file: FileDiff, to old: String) -> String {
    var lines = old.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
    let endsWithNewline = old.utf8.last == UInt8(ascii: "\n")
    if endsWithNewline || old.isEmpty { lines.removeLast() }
    var missingNewline = !old.isEmpty && !endsWithNewline
    var shift = 0
    for hunk in file.hunks {
        let start = (hunk.oldCount == 0 ? hunk.oldStart : hunk.oldStart - 1) + shift
        let replacement = hunk.lines.filter { $0.op != .delete }.map(\.text)
        lines.replaceSubrange(start..<(start + hunk.oldCount), with: replacement)
        shift += hunk.newCount - hunk.oldCount
        if hunk.oldMissingNewline { missingNewline = false }
        if hunk.newMissingNewline { missingNewline = true }
    }
    if lines.isEmpty { return "" }
    return lines.joined(separator: "\n") + (missingNewline ? "" : "\n")
}
