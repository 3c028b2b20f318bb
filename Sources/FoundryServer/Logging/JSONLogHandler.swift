import Foundation
import FoundryStore
import Logging

/// A swift-log handler that writes one JSON object a line to standard error:
/// `{"ts", "level", "label", "message", …metadata}`, for log shippers and `jq`.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    private let label: String
    private let sink: @Sendable (Data) -> Void

    /// - Parameter sink: where each line goes (default: standard error, written whole).
    public init(label: String, level: Logger.Level = .info, sink: @escaping @Sendable (Data) -> Void = JSONLogHandler.standardError) {
        self.label = label
        self.logLevel = level
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var object: [String: JSONValue] = [:]
        for (key, value) in metadata.merging(event.metadata ?? [:], uniquingKeysWith: { $1 }) {
            object[key] = Self.json(value)
        }
        object["ts"] = .string(Timestamp.string(from: Date()))
        object["level"] = .string(event.level.rawValue)
        object["label"] = .string(label)
        object["message"] = .string(event.message.description)
        if event.level >= .error { object["source"] = .string("\(event.file):\(event.line)") }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var line = try? encoder.encode(JSONValue.object(object)) else { return }
        line.append(UInt8(ascii: "\n"))
        sink(line)
    }

    static func json(_ value: Logger.MetadataValue) -> JSONValue {
        switch value {
        case .string(let text): return .string(text)
        case .stringConvertible(let value): return .string(value.description)
        case .array(let items): return .array(items.map(json))
        case .dictionary(let dictionary): return .object(dictionary.mapValues(json))
        }
    }

    /// One `write(2)` per line, so lines from several threads never interleave.
    public static let standardError: @Sendable (Data) -> Void = { data in
        data.withUnsafeBytes { _ = write(2, $0.baseAddress, $0.count) }
    }
}
