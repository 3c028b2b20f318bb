import Foundation

extension ProjectManifest {
    /// The manifest's bytes as `CanonicalJSON.encode` writes them (sorted
    /// keys, two-space indentation, `" : "`), built by hand.
    ///
    /// A save rewrites `project.json` to move its head; `JSONEncoder` takes
    /// milliseconds for a thousand members, this takes microseconds, so a
    /// save costs the same whatever the size of the team.
    func canonicalJSON() -> Data {
        var entries: [(String, String)] = [
            ("created_at", Self.quoted(createdAt)), ("created_by", Self.quoted(createdBy)),
            ("format", Self.quoted(format)), ("head_version", String(headVersion)), ("id", Self.quoted(id)),
            ("members", Self.object(members.map { ($0.key, Self.quoted($0.value.rawValue)) }, indent: 1)),
            ("name", Self.quoted(name)), ("state", Self.quoted(state.rawValue)),
        ]
        if let currentDraftID { entries.append(("current_draft_id", Self.quoted(currentDraftID))) }
        if let freeze {
            entries.append(("freeze", Self.object([
                ("bundle", Self.quoted(freeze.bundle)), ("draft_id", Self.quoted(freeze.draftID)),
                ("frozen_at", Self.quoted(freeze.frozenAt)), ("frozen_by", Self.quoted(freeze.frozenBy)),
                ("version", String(freeze.version)),
            ], indent: 1)))
        }
        var text = Self.object(entries, indent: 0)
        text.append("\n")
        return Data(text.utf8)
    }

    /// `{` entries sorted by key `}` at `indent` levels, as `.prettyPrinted` lays them out.
    private static func object(_ entries: [(String, String)], indent: Int) -> String {
        let inner = String(repeating: "  ", count: indent + 1)
        let lines = entries.sorted { $0.0 < $1.0 }.map { inner + quoted($0.0) + " : " + $0.1 }
        return "{\n" + lines.joined(separator: ",\n") + "\n" + String(repeating: "  ", count: indent) + "}"
    }

    /// A JSON string as `JSONEncoder` escapes it (`/` left alone).
    static func quoted(_ string: String) -> String {
        var result = "\""
        result.reserveCapacity(string.utf8.count + 2)
        for scalar in string.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case "\u{08}": result += "\\b"
            case "\u{0C}": result += "\\f"
            case let control where control.value < 0x20:
                let hex = String(control.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
