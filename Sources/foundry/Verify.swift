import ArgumentParser
import Foundation
import FoundryStore

/// `foundry verify`: re-hash and re-check a workspace without the server, or
/// one copied bundle without the workspace.
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every blob, draft chain, manifest, audit trail and checkpoint, annotation and signature record; exit 1 naming each damaged file.",
        discussion: """
            With --bundle DIR, check one copied bundle alone (SHA256SUMS, the server's seal and every signature), with no root and no server. \
            A change a crash interrupted before it was acknowledged is a note naming it and what the next start does with it; \
            only what a crash cannot produce (an edited, removed or reordered line or record) is DAMAGE.
            """
    )

    @OptionGroup var root: RootOption
    @Option(help: "Check only this project.") var project: String?
    @Option(help: "The server's public key(s): a JWKS (GET /.well-known/foundry-keys.json) or PEM file; default <root>/.foundry/foundry-keys.json, or for --bundle the bundle's own.")
    var key: String?
    @Option(help: "Check this bundle directory on its own, offline.") var bundle: String?
    @Flag(help: "Print the findings as one JSON object (severity, path, message and, for an interrupted change, its state).")
    var json = false

    func run() async throws {
        let keys = try key.map { path -> SigningKeySet in
            guard let keys = try SigningKeySet.read(path) else { throw ValidationError("cannot read the key file \(path)") }
            return keys
        }
        let report: VerificationReport
        if let bundle {
            report = Verifier.verifyBundle(at: bundle, keys: keys)
        } else {
            let workspace = try Workspace(root: root.root)
            let projects = try project.map { [try ProjectID($0)] }
            if let projects, (try? workspace.project(projects[0])) == nil { throw StoreError.projectNotFound(projects[0].rawValue) }
            report = try Verifier(workspace: workspace, trustedKeys: keys).verify(projects: projects)
        }
        let summary = "checked \(report.projectsChecked) project(s), \(report.versionsChecked) version(s), \(report.blobsChecked) blob(s), \(report.bundlesChecked) bundle(s), \(report.annotationsChecked) annotation record(s), \(report.runsChecked) run(s), \(report.signaturesChecked) signature(s), \(report.checkpointsChecked) checkpoint(s): " +
            (report.isClean ? "OK" : "\(report.damage.count) problem(s)")
        if json {
            let findings: [[String: Any]] = report.findings.map { finding in
                var object: [String: Any] = ["severity": finding.severity.rawValue, "path": finding.path, "message": finding.message]
                if let state = finding.state { object["state"] = state.rawValue }
                return object
            }
            let document: [String: Any] = ["ok": report.isClean, "summary": summary, "findings": findings]
            print(String(decoding: try JSONSerialization.data(withJSONObject: document, options: [.sortedKeys]), as: UTF8.self))
        } else {
            for finding in report.findings { print(finding) }
            print(summary)
        }
        if !report.isClean { throw ExitCode(1) }
    }
}
