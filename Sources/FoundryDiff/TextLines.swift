/// A text split into lines for diffing.
///
/// Lines are split and compared as UTF-8 bytes, never as Swift `Character`s:
/// `"\r\n"` is one `Character`, and `Character` equality is canonical
/// equivalence (a composed "é" equals a decomposed one), either of which
/// would make a patch that does not reproduce the exact bytes. `"\n"` ends a
/// line (`"\r"` stays part of it); a final line without `"\n"` is marked so
/// it differs from the same line with one, as in GNU diff.
struct TextLines {
    struct Line: Hashable {
        var bytes: ArraySlice<UInt8>
        var missingNewline: Bool

        var text: String { String(decoding: bytes, as: UTF8.self) }

        /// The bytes in one call: the synthesized hash feeds the hasher one
        /// byte at a time, which made hashing most of a diff's cost.
        func hash(into hasher: inout Hasher) {
            bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
            hasher.combine(missingNewline)
        }
    }

    let lines: [Line]

    init(_ text: String) {
        let bytes = Array(text.utf8)
        var lines: [Line] = []
        var start = 0
        while start < bytes.count {
            if let newline = bytes[start...].firstIndex(of: UInt8(ascii: "\n")) {
                lines.append(Line(bytes: bytes[start..<newline], missingNewline: false))
                start = newline + 1
            } else {
                lines.append(Line(bytes: bytes[start...], missingNewline: true))
                break
            }
        }
        self.lines = lines
    }
}
