import Foundation

/// One line of `console.log`: `{"stream", "text", "ts"}` (plus `user` for
/// output appended over HTTP), in JSON with sorted keys.
///
/// A line that is not such an object (an external process appending plain
/// text with `echo … >> console.log`) is read as stdout text, newline kept.
public struct ConsoleLine: Codable, Sendable, Equatable {
    public var ts: String
    public var stream: ConsoleStream
    public var text: String
    /// Who appended it over HTTP; absent for a process's own output.
    public var user: String?

    public init(ts: String, stream: ConsoleStream, text: String, user: String? = nil) {
        self.ts = ts
        self.stream = stream
        self.text = text
        self.user = user
    }

    /// The line as written: JSON and a newline.
    public var encoded: Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding a struct of strings cannot fail.
        var data = (try? encoder.encode(self)) ?? Data()
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// Parses one line (without its newline).
    public static func parse(_ bytes: Data) -> ConsoleLine {
        if bytes.first == UInt8(ascii: "{"), let line = try? JSONDecoder().decode(ConsoleLine.self, from: bytes) {
            return line
        }
        return ConsoleLine(ts: "", stream: .stdout, text: String(decoding: bytes, as: UTF8.self) + "\n")
    }
}

/// Which stream a chunk of output came from; `system` lines are the server's own notes.
public enum ConsoleStream: String, Codable, Sendable {
    case stdout, stderr, system
}

/// A console line and the byte offset in `console.log` where it starts.
public struct ConsoleEntry: Sendable, Equatable {
    public var offset: Int
    public var line: ConsoleLine
    /// The size of the line in the file, newline included.
    public var size: Int
}

/// The complete lines of `console.log` in `[from, to)`; `hasMore` when the
/// read stopped at its size limit before the end of the file.
public struct ConsoleChunk: Sendable, Equatable {
    public var from: Int
    public var to: Int
    public var entries: [ConsoleEntry]
    public var hasMore: Bool

    public init(from: Int, to: Int, entries: [ConsoleEntry], hasMore: Bool) {
        self.from = from
        self.to = to
        self.entries = entries
        self.hasMore = hasMore
    }
}
