import Foundation
import FoundryDiff
import Testing

@Suite("Following line ranges through a diff")
struct LineMapTests {
    static let base = (1...10).map { "line \($0)\n" }.joined()

    @Test("Unchanged text keeps every range where it was")
    func identity() {
        let map = LineMap(old: Self.base, new: Self.base)
        #expect(map.map(1...10) == 1...10)
        #expect(map.map(4...6) == 4...6)
    }

    @Test("Lines inserted above shift the range down; lines deleted above shift it up")
    func shifts() {
        let inserted = "new a\nnew b\nnew c\n" + Self.base
        #expect(LineMap(old: Self.base, new: inserted).map(4...6) == 7...9)
        let deleted = Self.base.replacingOccurrences(of: "line 1\nline 2\n", with: "")
        #expect(LineMap(old: Self.base, new: deleted).map(4...6) == 2...4)
        #expect(LineMap(old: Self.base, new: deleted).map(1...1) == nil)
    }

    @Test("Changes below the range, or right next to it, do not move it")
    func changesBelow() {
        let new = Self.base.replacingOccurrences(of: "line 7\n", with: "line seven\nextra\n")
        let map = LineMap(old: Self.base, new: new)
        #expect(map.map(4...6) == 4...6)
        #expect(map.map(8...10) == 9...11)
    }

    @Test("A line of the range edited, deleted, or a line inserted inside it loses the range")
    func lost() {
        let edited = Self.base.replacingOccurrences(of: "line 5\n", with: "line FIVE\n")
        #expect(LineMap(old: Self.base, new: edited).map(4...6) == nil)
        #expect(LineMap(old: Self.base, new: edited).map(6...6) == 6...6)
        let deleted = Self.base.replacingOccurrences(of: "line 6\n", with: "")
        #expect(LineMap(old: Self.base, new: deleted).map(4...6) == nil)
        let split = Self.base.replacingOccurrences(of: "line 5\n", with: "line 5\ninserted\n")
        #expect(LineMap(old: Self.base, new: split).map(4...6) == nil)
        #expect(LineMap(old: Self.base, new: split).map(4...5) == 4...5)
        #expect(LineMap(old: Self.base, new: split).map(6...6) == 7...7)
    }

    @Test("The whole field removed loses every range; ranges outside the old text are refused")
    func removedAndOutside() {
        let map = LineMap(old: Self.base, new: "")
        #expect(map.map(1...1) == nil)
        #expect(map.newLineCount == 0)
        let same = LineMap(old: Self.base, new: Self.base)
        #expect(same.map(0...1) == nil)
        #expect(same.map(10...11) == nil)
    }

    @Test("A newline added after a last line without one does not change that line")
    func missingNewline() {
        let map = LineMap(old: "a\nb", new: "a\nb\nc\n")
        #expect(map.map(2...2) == 2...2)
        #expect(map.oldLineCount == 2)
        #expect(map.newLineCount == 3)
    }

    @Test("Line counts: a newline ends a line, a last line without one counts, CR stays part of a line")
    func lineCounts() {
        #expect(LineMap.lineCount(of: "") == 0)
        #expect(LineMap.lineCount(of: "a") == 1)
        #expect(LineMap.lineCount(of: "a\n") == 1)
        #expect(LineMap.lineCount(of: "a\n\n") == 2)
        #expect(LineMap.lineCount(of: "a\r\nb\r\n") == 2)
    }

    @Test("Repeated lines: the range follows the copy the shortest edit script keeps")
    func repeatedLines() {
        let old = "}\n}\nx\n}\n"
        let new = "header\n}\n}\nx\n}\n"
        let map = LineMap(old: old, new: new)
        #expect(map.map(3...4) == 4...5)
        #expect(map.map(1...4) == 2...5)
    }

    @Test("Random edits: a range that maps is byte-equal at its new place, and unmapped ranges really changed")
    func randomRounds() {
        var random = SplitMix64(state: 42)
        for _ in 0..<300 {
            let old = (0..<Int.random(in: 0...20, using: &random)).map { _ in "l\(Int.random(in: 0...6, using: &random))" }
            var new = old
            for _ in 0..<Int.random(in: 0...4, using: &random) {
                let position = Int.random(in: 0...new.count, using: &random)
                if Bool.random(using: &random) || new.isEmpty || position == new.count {
                    new.insert("n\(Int.random(in: 0...3, using: &random))", at: position)
                } else {
                    new.remove(at: position)
                }
            }
            let map = LineMap(old: old.map { $0 + "\n" }.joined(), new: new.map { $0 + "\n" }.joined())
            guard !old.isEmpty else { continue }
            let start = Int.random(in: 1...old.count, using: &random)
            let end = Int.random(in: start...old.count, using: &random)
            if let mapped = map.map(start...end) {
                #expect(Array(new[(mapped.lowerBound - 1)...(mapped.upperBound - 1)]) == Array(old[(start - 1)...(end - 1)]))
            } else if old == new {
                Issue.record("an unchanged text lost range \(start)...\(end)")
            }
        }
    }
}
