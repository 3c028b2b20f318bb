/// A strict RFC 8259 syntax check that reports the line and column of the
/// first error — what an editor needs to point at, and what Foundation's
/// parser does not report reliably. It builds no values.
struct JSONSyntaxChecker {
    private let bytes: [UInt8]
    private var index = 0
    private var depth = 0
    private static let maximumDepth = 512

    /// Checks that `text` holds exactly one JSON value.
    static func check(_ text: String) throws(SyntaxProblem) {
        var checker = JSONSyntaxChecker(bytes: Array(text.utf8))
        try checker.checkDocument()
    }

    private init(bytes: [UInt8]) {
        self.bytes = bytes
    }

    private mutating func checkDocument() throws(SyntaxProblem) {
        skipWhitespace()
        try value()
        skipWhitespace()
        if index < bytes.count { throw problem("unexpected text after the JSON value") }
    }

    private mutating func value() throws(SyntaxProblem) {
        guard index < bytes.count else { throw problem("unexpected end of input, expected a value") }
        switch bytes[index] {
        case UInt8(ascii: "{"): try container(close: UInt8(ascii: "}"), isObject: true)
        case UInt8(ascii: "["): try container(close: UInt8(ascii: "]"), isObject: false)
        case UInt8(ascii: "\""): try string()
        case UInt8(ascii: "t"): try literal("true")
        case UInt8(ascii: "f"): try literal("false")
        case UInt8(ascii: "n"): try literal("null")
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try number()
        default: throw problem("unexpected character '\(printable(bytes[index]))', expected a value")
        }
    }

    private mutating func container(close: UInt8, isObject: Bool) throws(SyntaxProblem) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw problem("nesting deeper than \(Self.maximumDepth)") }
        index += 1
        skipWhitespace()
        if peek() == close {
            index += 1
            depth -= 1
            return
        }
        while true {
            if isObject {
                guard peek() == UInt8(ascii: "\"") else { throw problem("expected a quoted key") }
                try string()
                skipWhitespace()
                guard peek() == UInt8(ascii: ":") else { throw problem("expected ':' after the key") }
                index += 1
                skipWhitespace()
            }
            try value()
            skipWhitespace()
            guard let next = peek() else { throw problem("unexpected end of input, expected ',' or '\(printable(close))'") }
            index += 1
            if next == close { break }
            guard next == UInt8(ascii: ",") else {
                index -= 1
                throw problem("expected ',' or '\(printable(close))'")
            }
            skipWhitespace()
            if peek() == close {
                throw problem("trailing comma before '\(printable(close))'")
            }
        }
        depth -= 1
    }

    private mutating func string() throws(SyntaxProblem) {
        index += 1
        while index < bytes.count {
            let byte = bytes[index]
            switch byte {
            case UInt8(ascii: "\""):
                index += 1
                return
            case UInt8(ascii: "\\"):
                index += 1
                guard let escaped = peek() else { break }
                if escaped == UInt8(ascii: "u") {
                    for offset in 1...4 {
                        guard index + offset < bytes.count, isHexDigit(bytes[index + offset]) else {
                            index += offset
                            throw problem("invalid \\u escape")
                        }
                    }
                    index += 5
                } else if "\"\\/bfnrt".utf8.contains(escaped) {
                    index += 1
                } else {
                    throw problem("invalid escape '\\\(printable(escaped))'")
                }
            case 0..<0x20:
                throw problem("control character in a string (escape it)")
            default:
                index += 1
            }
        }
        throw problem("unterminated string")
    }

    private mutating func number() throws(SyntaxProblem) {
        if peek() == UInt8(ascii: "-") { index += 1 }
        guard let first = peek(), isDigit(first) else { throw problem("invalid number") }
        index += 1
        if first != UInt8(ascii: "0") { skipDigits() }
        if peek() == UInt8(ascii: ".") {
            index += 1
            guard let digit = peek(), isDigit(digit) else { throw problem("expected a digit after '.'") }
            skipDigits()
        }
        if let e = peek(), e == UInt8(ascii: "e") || e == UInt8(ascii: "E") {
            index += 1
            if let sign = peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { index += 1 }
            guard let digit = peek(), isDigit(digit) else { throw problem("expected a digit in the exponent") }
            skipDigits()
        }
    }

    private mutating func literal(_ word: String) throws(SyntaxProblem) {
        for expected in word.utf8 {
            guard peek() == expected else { throw problem("invalid literal, expected '\(word)'") }
            index += 1
        }
    }

    private mutating func skipWhitespace() {
        while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0a || byte == 0x0d { index += 1 }
    }

    private mutating func skipDigits() {
        while let byte = peek(), isDigit(byte) { index += 1 }
    }

    private func peek() -> UInt8? { index < bytes.count ? bytes[index] : nil }
    private func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
    private func isHexDigit(_ byte: UInt8) -> Bool {
        isDigit(byte) || (0x41...0x46).contains(byte) || (0x61...0x66).contains(byte)
    }
    private func printable(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7f ? String(UnicodeScalar(byte)) : "\\u{\(String(byte, radix: 16))}"
    }

    /// The error at the current position, with a 1-based line and column (in characters).
    private func problem(_ message: String) -> SyntaxProblem {
        let position = min(index, bytes.count)
        var line = 1
        var lineStart = 0
        for offset in 0..<position where bytes[offset] == 0x0a {
            line += 1
            lineStart = offset + 1
        }
        let column = String(decoding: bytes[lineStart..<position], as: UTF8.self).count + 1
        return SyntaxProblem(line: line, column: column, message: message)
    }
}
