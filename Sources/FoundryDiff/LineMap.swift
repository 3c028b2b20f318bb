/// Where the lines of one text went in the next: the line diff between two
/// versions of a field, asked about line ranges (a comment's anchor).
///
/// Lines are numbered from 1 and compared by their bytes without the line
/// end, so appending a line after a last line that had no newline does not
/// count as a change of that line. A range follows its text when every line
/// of it is unchanged and the lines are still adjacent; it is lost when any
/// of its lines was deleted or replaced, or a line was inserted inside it.
public struct LineMap: Sendable {
    /// For each line of the old text (0-based), its 0-based position in the new text, or `nil` when it was deleted or replaced.
    private let positions: [Int?]
    public let oldLineCount: Int
    public let newLineCount: Int

    public init(old: String, new: String) {
        let before = Self.lines(of: old)
        let after = Self.lines(of: new)
        var positions = [Int?](repeating: nil, count: before.count)
        for match in LineDiff.matches(before, after) {
            for offset in 0..<match.count { positions[match.oldStart + offset] = match.newStart + offset }
        }
        self.positions = positions
        oldLineCount = before.count
        newLineCount = after.count
    }

    /// The lines `range` (1-based, inclusive) of the old text occupy in the
    /// new one, or `nil` when they changed (see the type's rules) or lie
    /// outside the old text.
    public func map(_ range: ClosedRange<Int>) -> ClosedRange<Int>? {
        guard range.lowerBound >= 1, range.upperBound <= oldLineCount else { return nil }
        guard let first = positions[range.lowerBound - 1] else { return nil }
        for (offset, line) in range.enumerated() where positions[line - 1] != first + offset {
            return nil
        }
        return (first + 1)...(first + range.count)
    }

    /// The number of lines of `text`: `"\n"` ends a line, and a last line without one counts.
    public static func lineCount(of text: String) -> Int {
        TextLines(text).lines.count
    }

    private static func lines(of text: String) -> [ArraySlice<UInt8>] {
        TextLines(text).lines.map(\.bytes)
    }
}
