import ArgumentParser
import Foundation
import FoundryDiff
import FoundryStore

/// `foundry-bench diff`: a unified diff of two long fields with scattered
/// edits by `FoundryDiff`, against `git diff --no-index` on the same two files.
struct DiffBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Unified diff of two 10,000-line fields with scattered edits, against git diff --no-index."
    )

    @OptionGroup var server: ServerOptions
    @Option(help: "Lines in each text.") var lines = 10_000
    @Option(help: "Places edited (each a changed line, 1–3 inserted or 1–2 deleted lines).") var edits = 100
    @Option(help: "Seed of the texts and edits.") var seed: UInt64 = 1
    @Option(help: "Repetitions of each measurement (the median is reported).") var repetitions = 9

    func run() async throws {
        let scratch = try server.scratchDirectory("diff")
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let texts = ScatteredEdits(lines: lines, edits: edits, seed: seed)
        let (oldPath, newPath) = (scratch + "/old.txt", scratch + "/new.txt")
        try texts.old.write(toFile: oldPath, atomically: false, encoding: .utf8)
        try texts.new.write(toFile: newPath, atomically: false, encoding: .utf8)
        let hashes = (Digest.sha256(Data(texts.old.utf8)), Digest.sha256(Data(texts.new.utf8)))

        let git = ["git", "diff", "--no-index", "--no-color", "--no-ext-diff", "--no-textconv", oldPath, newPath]
        let limit = try ChildProcess.median(git, repetitions: repetitions, accepted: [1])
        var patch = ""
        let ours = try medianTime(repetitions) {
            let old = String(decoding: try Data(contentsOf: URL(fileURLWithPath: oldPath)), as: UTF8.self)
            let new = String(decoding: try Data(contentsOf: URL(fileURLWithPath: newPath)), as: UTF8.self)
            patch = FileDiff(field: "field.txt", old: DiffSide(text: old, hash: hashes.0), new: DiffSide(text: new, hash: hashes.1)).unified()
        }
        let gitOutput = scratch + "/git.diff"
        _ = try ChildProcess.run(git, output: gitOutput)
        let (ourPlus, ourMinus) = Self.changedLines(patch)
        let (gitPlus, gitMinus) = Self.changedLines(try String(contentsOfFile: gitOutput, encoding: .utf8))
        let agreement = (ourPlus, ourMinus) == (gitPlus, gitMinus) ? "same +\(ourPlus) −\(ourMinus) as git" : "+\(ourPlus) −\(ourMinus), git +\(gitPlus) −\(gitMinus)"

        let figure = Report.milliseconds(Double(ours) / 1e6) + " (\(agreement))"
        Report(label: "diff of two \(lines)-line fields, \(edits) edits", figure: figure,
               limit: .init(name: "git diff --no-index", figure: Report.milliseconds(Double(limit) / 1e6), ratio: Double(ours) / Double(limit)),
               target: "≤ 1×").print()
    }

    /// Added and removed lines of a unified diff (headers excluded).
    static func changedLines(_ patch: String) -> (Int, Int) {
        var plus = 0, minus = 0
        for line in patch.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("+++ ") || line.hasPrefix("--- ") { continue }
            if line.hasPrefix("+") { plus += 1 } else if line.hasPrefix("-") { minus += 1 }
        }
        return (plus, minus)
    }
}
