/// What a test run needs to execute one version: `GET /projects/{id}/export`
/// and `foundry export --json`.
///
/// `model_config` is the parsed field `model_config.json` (or
/// `model_config.yaml`/`.yml`), `topology` the parsed `topology.yaml` (or
/// `.yml`/`.json`), YAML as JSON; `null` when the version has no such field.
public struct ExportPayload: Codable, Sendable, Equatable {
    public static let currentFormat = "foundry.export/1"
    public static let modelConfigFields = ["model_config.json", "model_config.yaml", "model_config.yml"]
    public static let topologyFields = ["topology.yaml", "topology.yml", "topology.json"]

    public var format: String = ExportPayload.currentFormat
    public var projectID: String
    public var draftID: String
    public var version: Int
    public var label: String
    public var createdAt: String
    public var authorID: String
    public var fields: [String: ExportField]
    public var modelConfig: JSONValue
    public var topology: JSONValue

    enum CodingKeys: String, CodingKey {
        case format, version, label, fields, topology
        case projectID = "project_id"
        case draftID = "draft_id"
        case createdAt = "created_at"
        case authorID = "author_id"
        case modelConfig = "model_config"
    }
}

/// One field of an export: its hash, size, format and text.
public struct ExportField: Codable, Sendable, Equatable {
    public var sha256: String
    public var size: Int
    public var format: FieldFormat
    public var content: String
}
