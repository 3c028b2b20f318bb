import ArgumentParser
import Foundation
import FoundryStore

/// `foundry freeze <project>`: the server's freeze, offline, on the files.
struct Freeze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Freeze a project at its head version into bundles/<name>/ and make it read-only."
    )

    @Argument(help: "The project id.") var project: String
    @Option(help: "User the freeze is attributed to; must be an owner of the project.") var user: String
    @Option(help: "Bundle name (default: <project>-<label>, e.g. onco-0.1.7).") var name: String?
    @Option(help: "Refuse unless this is still the head version.") var version: Int?
    @OptionGroup var root: RootOption

    func run() async throws {
        let store = try Workspace(root: root.root).project(try ProjectID(project))
        try store.authorize(.manage, user: user)
        let identity = EditorIdentity(user: user, session: "cli-freeze-\(getpid())")
        let result = try store.freeze(FreezeRequest(bundleName: try name.map(BundleName.init), expectedVersion: version), by: identity)
        print("project \(store.id) frozen at version \(result.manifest.version) (\(result.manifest.label)) into \(result.path)" + (result.reused ? " (adopted the complete bundle an interrupted freeze left)" : ""))
        print("MANIFEST.json sha256 \(result.manifestSHA256)")
    }
}
