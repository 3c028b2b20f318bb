import Foundation
import FoundryStore

/// The body of `POST /projects/{id}/drafts`.
///
/// Native shape: `{"base_version": 3, "fields": {"system_prompt": "…", "old.txt": null},
/// "message": "…", "keep_locks": false, "lock_tokens": {"system_prompt": 7}}` —
/// a `null` field removes it. Peer-compatible shape: `prompt_text` and
/// `model_config` (a JSON string or object) map to the fields `system_prompt`
/// and `model_config.json`.
struct SaveBody: Decodable {
    static let promptField = "system_prompt"
    static let modelConfigField = "model_config.json"

    var baseVersion: Int
    var fields: [String: String?]
    var message: String?
    var keepLocks: Bool
    var lockTokens: [String: Int]

    enum CodingKeys: String, CodingKey {
        case fields, message
        case baseVersion = "base_version"
        case keepLocks = "keep_locks"
        case lockTokens = "lock_tokens"
        case promptText = "prompt_text"
        case modelConfig = "model_config"
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        baseVersion = try container.decode(Int.self, forKey: .baseVersion)
        fields = try container.decodeIfPresent([String: String?].self, forKey: .fields) ?? [:]
        message = try container.decodeIfPresent(String.self, forKey: .message)
        keepLocks = try container.decodeIfPresent(Bool.self, forKey: .keepLocks) ?? false
        lockTokens = try container.decodeIfPresent([String: Int].self, forKey: .lockTokens) ?? [:]
        if let prompt = try container.decodeIfPresent(String.self, forKey: .promptText) {
            fields[Self.promptField] = prompt
        }
        if let config = try? container.decode(String.self, forKey: .modelConfig) {
            fields[Self.modelConfigField] = config
        }
    }

    /// Decodes `data`; a `model_config` given as a JSON object is stored as
    /// pretty-printed JSON with sorted keys.
    static func parse(_ data: Data) throws -> SaveBody {
        var body = try JSON.decode(SaveBody.self, from: data)
        if body.fields[modelConfigField] == nil,
           let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let config = object[CodingKeys.modelConfig.rawValue], config is [String: Any] || config is [Any] {
            let rendered = try JSONSerialization.data(withJSONObject: config, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
            body.fields[modelConfigField] = String(decoding: rendered, as: UTF8.self) + "\n"
        }
        guard !body.fields.isEmpty else {
            throw APIError.badRequest("INVALID_ARGUMENT", "a save needs 'fields' (or 'prompt_text' / 'model_config') with at least one field")
        }
        return body
    }

    func request() throws -> SaveRequest {
        SaveRequest(
            baseVersion: baseVersion,
            fields: Dictionary(uniqueKeysWithValues: try fields.map { (try FieldName($0.key), $0.value) }),
            message: message, keepLocks: keepLocks,
            lockTokens: Dictionary(uniqueKeysWithValues: try lockTokens.map { (try FieldName($0.key), $0.value) })
        )
    }
}
