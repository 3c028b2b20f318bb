/// One line of a hunk: kept, inserted or deleted, without its `"\n"`.
public struct HunkLine: Codable, Sendable, Equatable {
    public enum Op: String, Codable, Sendable {
        case context = " "
        case insert = "+"
        case delete = "-"
    }

    public var op: Op
    public var text: String

    public init(op: Op, text: String) {
        self.op = op
        self.text = text
    }
}

/// A block of changes with its surrounding context, numbered like GNU diff:
/// starts are 1-based, and a side with no lines starts at the line before.
public struct Hunk: Codable, Sendable, Equatable {
    public var oldStart: Int
    public var oldCount: Int
    public var newStart: Int
    public var newCount: Int
    public var lines: [HunkLine]
    /// The last old-side line of this hunk ends the old text without a newline.
    public var oldMissingNewline: Bool
    /// The last new-side line of this hunk ends the new text without a newline.
    public var newMissingNewline: Bool

    enum CodingKeys: String, CodingKey {
        case lines
        case oldStart = "old_start"
        case oldCount = "old_count"
        case newStart = "new_start"
        case newCount = "new_count"
        case oldMissingNewline = "old_missing_newline"
        case newMissingNewline = "new_missing_newline"
    }

    /// `@@ -l,s +l,s @@`, with the count left out when it is 1.
    public var header: String {
        func range(_ start: Int, _ count: Int) -> String { count == 1 ? "\(start)" : "\(start),\(count)" }
        return "@@ -\(range(oldStart, oldCount)) +\(range(newStart, newCount)) @@"
    }
}
