import ArgumentParser
import Foundation
import FoundryStore

/// `foundry import <dir>`: a directory of assets becomes a new project, or a
/// new version of an existing one (the directory is the whole new version).
struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create a project, or a new version, from a directory of assets.")

    @Argument(help: "Directory whose files become the fields (relative paths are field names).") var directory: String
    @Option(help: "Project id (a slug).") var project: String
    @Option(help: "User id the version is attributed to.") var user: String
    @Option(help: "Project name when the project is created (default: the id).") var name: String?
    @Option(help: "Message recorded with the version.") var message: String?
    @OptionGroup var signing: SigningKeyOption
    @OptionGroup var root: RootOption

    func run() async throws {
        let workspace = try Workspace(root: root.root, signing: signing.options)
        defer { _ = try? workspace.checkpointPending() }
        let id = try ProjectID(project)
        let fields = try AssetDirectory.read(directory)
        let identity = EditorIdentity(user: user, session: "cli-import-\(getpid())")
        let note = message ?? "import of \(directory)"
        if (try? workspace.project(id)) == nil {
            let store = try workspace.createProject(NewProject(name: name ?? project, id: id, fields: fields, message: note, kind: .import), by: identity)
            print("created project \(id) at version \(try store.headVersion()) with \(fields.count) field(s)")
        } else if let draft = try workspace.project(id).importVersion(fields, by: identity, message: note) {
            print("project \(id): version \(draft.record.versionNumber) (\(draft.record.label)), changed: \(draft.record.changed.joined(separator: ", "))")
        } else {
            print("project \(id): no change, version \(try workspace.project(id).headVersion()) already holds these files")
        }
    }
}
