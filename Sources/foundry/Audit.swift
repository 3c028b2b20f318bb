import ArgumentParser
import Foundation
import FoundryStore

/// `foundry audit <project>`: the audit trail, one readable line per entry
/// (or the raw JSON lines with `--json`), read from the files directly.
struct Audit: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a project's audit trail.")

    @Argument(help: "The project id.") var project: String
    @OptionGroup var root: RootOption
    @Option(help: "Only entries of this user.") var user: String?
    @Option(help: "Only entries of this type or family (e.g. lock, draft.save).") var type: String?
    @Flag(help: "Print the stored JSON lines unchanged.") var json = false

    func run() async throws {
        let store = try Workspace(root: root.root).project(try ProjectID(project))
        let query = AuditQuery(user: user, type: type, limit: Int.max)
        for line in try store.audit.entries() {
            guard let entry = line.entry else {
                print("line \(line.number): unreadable (run `foundry verify`)")
                continue
            }
            guard query.matches(entry) else { continue }
            print(json ? String(decoding: line.bytes, as: UTF8.self) : Self.describe(entry))
        }
    }

    /// `#12 2026-11-25T09:30:00.123Z alice/tab-1 draft.save v7 changed=[system_prompt] …`
    static func describe(_ entry: AuditEntry) -> String {
        var parts = ["#\(entry.seq)", entry.ts, "\(entry.user)/\(entry.session)", entry.type.rawValue]
        if let version = entry.version { parts.append("v\(version)") }
        for key in ["field", "reason", "holder", "member", "role", "changed", "of_version", "connection", "bundle"] {
            guard let value = entry.data[key] else { continue }
            parts.append("\(key)=\(Self.text(value))")
        }
        return parts.joined(separator: " ")
    }

    static func text(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): return text
        case .int(let number): return String(number)
        case .array(let items): return "[" + items.map(text).joined(separator: ",") + "]"
        default: return String(decoding: (try? JSONEncoder().encode(value)) ?? Data(), as: UTF8.self)
        }
    }
}
