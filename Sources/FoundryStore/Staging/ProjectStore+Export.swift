import Foundation
import Yams

extension ProjectStore {
    /// Version `version` as a runnable payload: every field with its text
    /// and hash, the model config and topology parsed. Refused with
    /// `invalidContent` (naming field, line and column) when a JSON, JSONL or
    /// YAML field does not parse: a run needs content that does.
    public func exportPayload(_ version: Int) throws -> ExportPayload {
        let draft = try draft(version)
        if let invalid = Self.invalidContent(in: draft) { throw invalid }
        let record = draft.record
        var fields: [String: ExportField] = [:]
        for (name, entry) in record.fields {
            let data = try blobs.get(entry.sha256)
            guard let text = String(validating: data, as: UTF8.self) else { throw StoreError.invalidUTF8(field: name) }
            fields[name] = ExportField(sha256: entry.sha256, size: entry.size, format: entry.format, content: text)
        }
        return ExportPayload(
            projectID: id.rawValue, draftID: draft.id, version: version, label: record.label,
            createdAt: record.createdAt, authorID: record.authorID, fields: fields,
            modelConfig: try Self.parsed(first: ExportPayload.modelConfigFields, in: fields, version: version),
            topology: try Self.parsed(first: ExportPayload.topologyFields, in: fields, version: version)
        )
    }

    /// The first of `names` present in `fields`, parsed as JSON; `.null` when none is.
    private static func parsed(first names: [String], in fields: [String: ExportField], version: Int) throws -> JSONValue {
        guard let name = names.first(where: { fields[$0] != nil }), let field = fields[name] else { return .null }
        do {
            switch field.format {
            case .yaml: return try JSONValue(yaml: field.content)
            default: return try JSONDecoder().decode(JSONValue.self, from: Data(field.content.utf8))
            }
        } catch {
            throw StoreError.invalidContent(field: name, version: version, problem: SyntaxProblem(line: 1, column: 1, message: "cannot be read as a value: \(error)"))
        }
    }
}

extension JSONValue {
    /// The YAML document `text` as JSON (several documents: an array of them).
    /// Timestamps stay strings; binary becomes base64 text; a non-finite
    /// number becomes its YAML spelling as a string (JSON has none).
    init(yaml text: String) throws {
        let parser = try Parser(yaml: text, resolver: Resolver.default.removing(.timestamp))
        var documents: [JSONValue] = []
        while let node = try parser.nextRoot() { documents.append(Self(yamlValue: node.any)) }
        self = documents.count == 1 ? documents[0] : .array(documents)
    }

    private init(yamlValue value: Any) {
        switch value {
        case is NSNull: self = .null
        case let bool as Bool: self = .bool(bool)
        case let int as Int: self = .int(int)
        case let double as Double: self = double.isFinite ? .double(double) : .string(double.isNaN ? ".nan" : double < 0 ? "-.inf" : ".inf")
        case let string as String: self = .string(string)
        case let data as Data: self = .string(data.base64EncodedString())
        case let array as [Any]: self = .array(array.map { Self(yamlValue: $0) })
        case let set as Set<AnyHashable>: self = .array(set.map { String(describing: $0.base) }.sorted().map(JSONValue.string))
        case let mapping as [AnyHashable: Any]:
            self = .object(Dictionary(mapping.map { (String(describing: $0.key.base), Self(yamlValue: $0.value)) }, uniquingKeysWith: { first, _ in first }))
        default: self = .string(String(describing: value))
        }
    }
}
