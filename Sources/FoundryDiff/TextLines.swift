/// A text split into lines for diffing: `"\n"` ends a line (`"\r"` stays part
/// of it), and a final line without `"\n"` is marked so that it differs from
/// the same line with one, as in GNU diff.
struct TextLines {
    struct Line: Hashable {
        var text: Substring
        var missingNewline: Bool
    }

    let lines: [Line]

    init(_ text: String) {
        var lines: [Line] = []
        var start = text.startIndex
        while start < text.endIndex {
            if let newline = text[start...].firstIndex(of: "\n") {
                lines.append(Line(text: text[start..<newline], missingNewline: false))
                start = text.index(after: newline)
            } else {
                lines.append(Line(text: text[start...], missingNewline: true))
                break
            }
        }
        self.lines = lines
    }
}
