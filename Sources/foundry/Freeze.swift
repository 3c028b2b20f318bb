import ArgumentParser
import Foundation
import FoundryStore

/// `foundry freeze <project>`: the server's freeze, offline, on the files.
///
/// The operator's tool: the same checks (locks, valid content, the release
/// policy's approvals, four eyes) and the same bundle, audit entries and
/// `released` signature, signed with the root's server key. Nobody
/// authenticates to it, so the signature says so: `authentication.method`
/// is `operator`, with no `auth_time` or `amr`; it is attributed to `--user`
/// (an owner) in session `cli-freeze-<pid>`, as run by whoever can write the
/// root. An auditor tells such a release from one signed over HTTP with a
/// fresh authentication by that field.
struct Freeze: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Freeze a project at its head version into bundles/<name>/ and make it read-only (signs 'released' as the operator)."
    )

    @Argument(help: "The project id.") var project: String
    @Option(help: "User the freeze is attributed to; must be an owner of the project.") var user: String
    @Option(help: "The printed name on the 'released' signature (default: the user id).") var printedName: String?
    @Option(help: "The reason the 'released' signature gives.") var reason: String?
    @Option(help: "Bundle name (default: <project>-<label>, e.g. onco-0.1.7).") var name: String?
    @Option(help: "Refuse unless this is still the head version.") var version: Int?
    @OptionGroup var signing: SigningKeyOption
    @OptionGroup var root: RootOption

    func run() async throws {
        let workspace = try Workspace(root: root.root, signing: signing.options)
        let store = try workspace.project(try ProjectID(project))
        try store.authorize(.manage, user: user)
        let signer = Signer(identity: EditorIdentity(user: user, session: "cli-freeze-\(getpid())"), printedName: printedName, authentication: .operator)
        let request = FreezeRequest(bundleName: try name.map(BundleName.init), expectedVersion: version, reason: reason)
        let result = try store.freeze(request, by: signer)
        try workspace.checkpointPending()
        print("project \(store.id) frozen at version \(result.manifest.version) (\(result.manifest.label)) into \(result.path)" + (result.reused ? " (adopted the complete bundle an interrupted freeze left)" : ""))
        print("MANIFEST.json sha256 \(result.manifestSHA256)")
    }
}
