import Foundation
import FoundryDiff
import Testing

/// Random versions and random scattered edits: the unified diff must turn the
/// old tree into the new one with GNU `patch`, `git apply` must accept it,
/// and the JSON hunks must rebuild the new text.
@Suite("Round trips through GNU patch, git apply and the JSON hunks")
struct PatchRoundTripTests {
    static let vocabulary = ["eligibility", "dose", "grade 3", "RECIST", "escalate", "", "{", "}", "  \"k\": 1,", "cite §6.2", "line\r"]

    static func randomText(_ random: inout SplitMix64) -> String {
        let count = Int.random(in: 0...40, using: &random)
        let text = (0..<count).map { _ in vocabulary.randomElement(using: &random)! + (Bool.random(using: &random) ? "" : " \(Int.random(in: 0...9, using: &random))") }.joined(separator: "\n")
        return count > 0 && Int.random(in: 0..<5, using: &random) > 0 ? text + "\n" : text
    }

    static func edit(_ text: String, _ random: inout SplitMix64) -> String {
        var lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        for _ in 0..<Int.random(in: 1...5, using: &random) {
            let position = Int.random(in: 0...lines.count, using: &random)
            switch Int.random(in: 0..<3, using: &random) {
            case 0: lines.insert(vocabulary.randomElement(using: &random)! + " new", at: position)
            case 1 where position < lines.count: lines.remove(at: position)
            default: if position < lines.count { lines[position] += " edited" }
            }
        }
        return lines.joined(separator: "\n")
    }

    static func versions(seed: UInt64) -> ([String: String], [String: String]) {
        var random = SplitMix64(state: seed)
        var old: [String: String] = [:]
        for name in ["system_prompt", "model_config.json", "tests/bec.jsonl", "fewshot/a.jsonl"] where Bool.random(using: &random) || name == "system_prompt" {
            old[name] = randomText(&random)
        }
        var new = old
        for name in old.keys.sorted() {
            switch Int.random(in: 0..<6, using: &random) {
            case 0: new[name] = nil
            case 1: break
            default: new[name] = edit(old[name]!, &random)
            }
        }
        if Bool.random(using: &random) { new["notes/added.txt"] = randomText(&random) }
        return (old, new)
    }

    @Test("GNU patch -p1 turns the old tree into the new one", arguments: 0..<12)
    func gnuPatch(batch: Int) throws {
        for round in 0..<15 {
            let seed = UInt64(batch * 1000 + round)
            var (old, new) = Self.versions(seed: seed)
            // GNU patch 2.7 refuses to delete an already empty file from a hunk-less git
            // diff ("would empty out the file"); git apply does it (see gitApply below).
            for (name, text) in old where text.isEmpty && new[name] == nil { new[name] = "" }
            let diff = Differ.compare(old: old.mapValues(side), new: new.mapValues(side))
            let tree = Tree()
            defer { tree.remove() }
            try tree.write(old)
            let result = try run("/usr/bin/patch", ["-p1", "--batch", "--forward", "--quiet", "--remove-empty-files"], in: tree.path, input: diff.unified())
            #expect(result.status == 0, "seed \(seed): \(result.output)\n\(diff.unified())")
            var expected = new
            for (name, text) in new where text.isEmpty && old[name] != nil { expected[name] = nil }
            for (name, text) in new where text.isEmpty && old[name] == nil { expected[name] = text }
            let actual = try tree.read()
            #expect(actual.filter { !$0.value.isEmpty } == expected.filter { !$0.value.isEmpty }, "seed \(seed)\n\(diff.unified())")
        }
    }

    @Test("git apply accepts the same patches and produces the new tree", arguments: 0..<4)
    func gitApply(batch: Int) throws {
        for round in 0..<10 {
            let seed = UInt64(50_000 + batch * 1000 + round)
            let (old, new) = Self.versions(seed: seed)
            let diff = Differ.compare(old: old.mapValues(side), new: new.mapValues(side))
            guard !diff.isEmpty else { continue }
            let tree = Tree()
            defer { tree.remove() }
            try tree.write(old)
            try run("/usr/bin/git", ["init", "-q"], in: tree.path)
            let result = try run("/usr/bin/git", ["apply", "--whitespace=nowarn", "-"], in: tree.path, input: diff.unified())
            #expect(result.status == 0, "seed \(seed): \(result.output)\n\(diff.unified())")
            #expect(try tree.read() == new, "seed \(seed)")
        }
    }

    @Test("The JSON hunks rebuild the new text from the old one")
    func jsonHunks() {
        for seed in UInt64(0)..<300 {
            var random = SplitMix64(state: seed)
            let old = Self.randomText(&random)
            let new = Self.edit(old, &random)
            let file = FileDiff(field: "f", old: side(old), new: side(new))
            #expect(apply(file, to: old) == new, "seed \(seed)")
        }
    }

    @Test("Same hunks as git diff --no-index where the shortest edit is unique")
    func matchesGit() throws {
        let base = (1...20).map { "row \($0)\n" }.joined()
        let cases = [
            base.replacingOccurrences(of: "row 10\n", with: "row ten\n"),
            base.replacingOccurrences(of: "row 3\n", with: "row 3\nrow 3b\n"),
            base.replacingOccurrences(of: "row 17\n", with: ""),
            base + "row 21",
        ]
        let tree = Tree()
        defer { tree.remove() }
        for new in cases {
            try tree.write(["a/f": base, "b/f": new])
            let git = try run("/usr/bin/git", ["diff", "--no-index", "--no-color", "a/f", "b/f"], in: tree.path)
            let ours = FileDiff(field: "f", old: side(base), new: side(new)).unified()
            // git appends the nearest preceding line after "@@ … @@" (its funcname heuristic); compare ranges and lines.
            func body(_ text: String) -> String {
                text.components(separatedBy: "\n").drop { !$0.hasPrefix("@@") }
                    .map { $0.hasPrefix("@@") ? String($0[..<$0.range(of: " @@")!.upperBound]) : $0 }
                    .joined(separator: "\n")
            }
            #expect(body(ours) == body(git.output))
        }
    }
}
