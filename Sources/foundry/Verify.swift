import ArgumentParser
import FoundryStore

/// `foundry verify`: re-hash and re-check a workspace without the server.
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check every blob, draft chain, manifest, audit trail and annotation record; exit 1 naming each damaged file."
    )

    @OptionGroup var root: RootOption
    @Option(help: "Check only this project.") var project: String?

    func run() async throws {
        let workspace = try Workspace(root: root.root)
        let projects = try project.map { [try ProjectID($0)] }
        if let projects, (try? workspace.project(projects[0])) == nil { throw StoreError.projectNotFound(projects[0].rawValue) }
        let report = try Verifier(workspace: workspace).verify(projects: projects)
        for finding in report.findings { print(finding) }
        print("checked \(report.projectsChecked) project(s), \(report.versionsChecked) version(s), \(report.blobsChecked) blob(s), \(report.bundlesChecked) bundle(s), \(report.annotationsChecked) annotation record(s), \(report.runsChecked) run(s): " +
              (report.isClean ? "OK" : "\(report.damage.count) problem(s)"))
        if !report.isClean { throw ExitCode(1) }
    }
}
