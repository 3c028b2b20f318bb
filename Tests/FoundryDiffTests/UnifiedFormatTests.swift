import Foundation
import FoundryDiff
import Testing

@Suite("Unified diff format")
struct UnifiedFormatTests {
    @Test("Identical versions give an empty diff")
    func identical() {
        let version = ["system_prompt": side("a\nb\n")]
        let diff = Differ.compare(old: version, new: version)
        #expect(diff.isEmpty)
        #expect(diff.unified().isEmpty)
        #expect(diff.added.isEmpty && diff.removed.isEmpty && diff.changed.isEmpty)
    }

    @Test("One changed line in the middle: git headers and a hunk with three lines of context")
    func changedLine() {
        let old = (1...9).map { "line \($0)\n" }.joined()
        let new = old.replacingOccurrences(of: "line 5\n", with: "line five\n")
        let diff = Differ.compare(old: ["p": DiffSide(text: old, hash: "aaaaaaa1")], new: ["p": DiffSide(text: new, hash: "bbbbbbb2")])
        #expect(diff.changed == ["p"])
        #expect(diff.unified() == """
            diff --git a/p b/p
            index aaaaaaa..bbbbbbb 100644
            --- a/p
            +++ b/p
            @@ -2,7 +2,7 @@
             line 2
             line 3
             line 4
            -line 5
            +line five
             line 6
             line 7
             line 8

            """)
    }

    @Test("Added and removed fields use /dev/null and file modes")
    func addedRemoved() {
        let diff = Differ.compare(old: ["gone.txt": DiffSide(text: "x\n", hash: "1111111")], new: ["new.txt": DiffSide(text: "y\n", hash: "2222222")])
        #expect(diff.added == ["new.txt"])
        #expect(diff.removed == ["gone.txt"])
        #expect(diff.unified() == """
            diff --git a/gone.txt b/gone.txt
            deleted file mode 100644
            index 1111111..0000000
            --- a/gone.txt
            +++ /dev/null
            @@ -1 +0,0 @@
            -x
            diff --git a/new.txt b/new.txt
            new file mode 100644
            index 0000000..2222222
            --- /dev/null
            +++ b/new.txt
            @@ -0,0 +1 @@
            +y

            """)
    }

    @Test("A last line without newline is marked, as GNU diff does")
    func missingNewline() {
        let file = FileDiff(field: "f", old: side("a\nb"), new: side("a\nc"))
        #expect(file.hunks.first?.oldMissingNewline == true)
        #expect(file.unified().hasSuffix("""
            @@ -1,2 +1,2 @@
             a
            -b
            \\ No newline at end of file
            +c
            \\ No newline at end of file

            """))
        let onlyNewline = FileDiff(field: "f", old: side("a"), new: side("a\n"))
        #expect(onlyNewline.hunks.count == 1)
        #expect(onlyNewline.hunks[0].lines.map(\.op) == [.delete, .insert])
    }

    @Test("Insertions at the very start and end have GNU-style empty ranges")
    func insertions() {
        let start = FileDiff(field: "f", old: side("b\n"), new: side("a\nb\n"), context: 0)
        #expect(start.hunks.map(\.header) == ["@@ -0,0 +1 @@"])
        let end = FileDiff(field: "f", old: side("a\n"), new: side("a\nb\n"), context: 0)
        #expect(end.hunks.map(\.header) == ["@@ -1,0 +2 @@"])
    }

    @Test("Nearby changes share a hunk; distant ones get their own")
    func hunkMerging() {
        let old = (1...30).map { "\($0)\n" }.joined()
        var lines = (1...30).map { "\($0)\n" }
        lines[4] = "five\n"
        lines[10] = "eleven\n"
        lines[25] = "twenty-six\n"
        let file = FileDiff(field: "f", old: side(old), new: side(lines.joined()))
        #expect(file.hunks.count == 2)
        #expect(file.hunks[0].header == "@@ -2,13 +2,13 @@")
    }

    @Test("JSON hunks use snake_case keys")
    func jsonKeys() throws {
        let diff = Differ.compare(old: ["f": side("a\n")], new: ["f": side("b\n")])
        let text = String(decoding: try JSONEncoder().encode(diff), as: UTF8.self)
        for key in ["\"old_start\"", "\"new_count\"", "\"old_hash\"", "\"old_missing_newline\"", "\"op\":\"-\""] {
            #expect(text.contains(key), "\(key) missing in \(text)")
        }
    }

    @Test("Two texts with nothing in common diff to one delete-all / insert-all hunk")
    func disjoint() {
        let file = FileDiff(field: "f", old: side((0..<500).map { "old \($0)\n" }.joined()), new: side((0..<400).map { "new \($0)\n" }.joined()))
        #expect(file.hunks.count == 1)
        #expect(file.hunks[0].lines.filter { $0.op == .delete }.count == 500)
        #expect(file.hunks[0].lines.filter { $0.op == .insert }.count == 400)
    }
}

@Suite("Byte-exact lines")
struct ByteExactTests {
    @Test("CRLF lines are split at the LF and keep their CR")
    func crlf() {
        let file = FileDiff(field: "f", old: side("a\r\nb\r\n"), new: side("a\r\nc\r\n"))
        #expect(file.hunks.first?.lines == [HunkLine(op: .context, text: "a\r"), HunkLine(op: .delete, text: "b\r"), HunkLine(op: .insert, text: "c\r")])
    }

    @Test("Canonically equivalent but different bytes are a change")
    func unicodeNormalization() {
        let composed = "caf\u{E9}\n"
        let decomposed = "cafe\u{301}\n"
        #expect(composed == decomposed)
        let file = FileDiff(field: "f", old: side(composed), new: side(decomposed))
        #expect(file.hunks.first?.lines.map(\.op) == [.delete, .insert])
    }
}
