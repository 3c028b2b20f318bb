import Foundation

/// Checks decoded JSON against the JSON Schema subset the API documents use
/// (`$ref` within the document, `allOf`, `oneOf`, `type`, `const`, `enum`,
/// `pattern`, `properties`, `required`, `additionalProperties`, `items`):
/// enough to hold the AsyncAPI document to the frames a live server sends.
struct SchemaCheck {
    /// The whole document, for `$ref: "#/…"`.
    let document: [String: Any]

    /// What is wrong with `value`, each problem with its path; empty when it conforms.
    func problems(_ value: TestJSON, _ schema: [String: Any], at path: String = "$") -> [String] {
        if let reference = schema["$ref"] as? String {
            guard let target = resolve(reference) else { return ["\(path): unresolved \(reference)"] }
            return problems(value, target, at: path)
        }
        var found: [String] = []
        for part in schema["allOf"] as? [[String: Any]] ?? [] { found += problems(value, part, at: path) }
        if let choices = schema["oneOf"] as? [[String: Any]] {
            let matching = choices.filter { problems(value, $0, at: path).isEmpty }.count
            if matching != 1 { found.append("\(path): \(Self.describe(value)) matches \(matching) schemas of a oneOf") }
        }
        if let type = schema["type"] {
            let names = type as? [String] ?? [type as? String ?? "?"]
            if !names.contains(where: { Self.value(value, is: $0) }) { found.append("\(path): \(Self.describe(value)) is not \(names.joined(separator: " or "))") }
        }
        if let constant = schema["const"], !Self.value(value, equals: constant) { found.append("\(path): \(Self.describe(value)) is not \(constant)") }
        if let choices = schema["enum"] as? [Any], !choices.contains(where: { Self.value(value, equals: $0) }) {
            found.append("\(path): \(Self.describe(value)) is not one of \(choices)")
        }
        if let pattern = schema["pattern"] as? String, case .string(let text) = value, text.range(of: pattern, options: .regularExpression) == nil {
            found.append("\(path): \"\(text)\" does not match \(pattern)")
        }
        if case .object(let object) = value {
            let properties = schema["properties"] as? [String: Any] ?? [:]
            for key in schema["required"] as? [String] ?? [] where object[key] == nil { found.append("\(path): \(key) is missing") }
            for (key, member) in object.sorted(by: { $0.key < $1.key }) {
                if let property = properties[key] as? [String: Any] {
                    found += problems(member, property, at: path + "." + key)
                } else if schema["additionalProperties"] as? Bool == false {
                    found.append("\(path).\(key) is not described")
                } else if let additional = schema["additionalProperties"] as? [String: Any] {
                    found += problems(member, additional, at: path + "." + key)
                }
            }
        }
        if case .array(let items) = value, let item = schema["items"] as? [String: Any] {
            for (index, element) in items.enumerated() { found += problems(element, item, at: "\(path)[\(index)]") }
        }
        return found
    }

    /// `#/components/schemas/Lock` → that object of the document.
    func resolve(_ reference: String) -> [String: Any]? {
        guard reference.hasPrefix("#/") else { return nil }
        var node: Any = document
        for key in reference.dropFirst(2).split(separator: "/") {
            guard let object = node as? [String: Any], let next = object[String(key)] else { return nil }
            node = next
        }
        return node as? [String: Any]
    }

    private static func value(_ value: TestJSON, is type: String) -> Bool {
        switch (value, type) {
        case (.null, "null"), (.bool, "boolean"), (.string, "string"), (.array, "array"), (.object, "object"), (.number, "number"): true
        case (.number(let number), "integer"): number.rounded() == number
        default: false
        }
    }

    private static func value(_ value: TestJSON, equals constant: Any) -> Bool {
        switch value {
        case .bool(let bool): (constant as? Bool) == bool
        case .string(let string): (constant as? String) == string
        case .number(let number): (constant as? Int).map(Double.init) == number || (constant as? Double) == number
        case .null: constant is NSNull
        default: false
        }
    }

    private static func describe(_ value: TestJSON) -> String {
        switch value {
        case .null: "null"
        case .bool(let bool): "\(bool)"
        case .number(let number): "\(number)"
        case .string(let string): "\"\(string.prefix(40))\""
        case .array: "an array"
        case .object: "an object"
        }
    }
}
