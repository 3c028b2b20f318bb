/// How a field's text is checked, decided by its name's extension:
/// `.json` → JSON, `.jsonl` → one JSON value per non-empty line,
/// `.yaml`/`.yml` → YAML, anything else → plain text (always valid).
public enum FieldFormat: String, Codable, Sendable {
    case text, json, jsonl, yaml

    public init(fieldName: String) {
        let lower = fieldName.lowercased()
        if lower.hasSuffix(".json") {
            self = .json
        } else if lower.hasSuffix(".jsonl") {
            self = .jsonl
        } else if lower.hasSuffix(".yaml") || lower.hasSuffix(".yml") {
            self = .yaml
        } else {
            self = .text
        }
    }
}
