import ArgumentParser
import Foundation
import FoundryStore

/// `foundry backup DEST`: a consistent copy of a live root, then its verification.
struct Backup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a live workspace root to DEST as a consistent cut per project, then verify the copy.",
        discussion: """
        The server may keep serving: each project's mutex is held (shared) only to read what changed \
        since the unlocked copy of its immutable files. DEST must be empty, new, or an earlier backup \
        (then only what changed is written). The server's private directory (.foundry/, the HS256 \
        secret) is not copied: keep the secret in your secret store or pass FOUNDRY_JWT_SECRET to a \
        restored server.
        """
    )

    @Argument(help: "The backup directory (new, empty, or an earlier backup).") var destination: String
    @OptionGroup var root: RootOption
    @Option(help: "Back up only this project.") var project: String?
    @Flag(help: "Skip re-hashing the copy with `foundry verify` afterwards.") var noVerify = false

    func run() async throws {
        let workspace = try Workspace(root: root.root)
        let projects = try project.map { [try ProjectID($0)] }
        if let projects, (try? workspace.project(projects[0])) == nil { throw StoreError.projectNotFound(projects[0].rawValue) }
        let backup = WorkspaceBackup(workspace: workspace, destination: destination)
        let report = try backup.run(projects: projects)
        for project in report.projects {
            print("\(project.id): version \(project.headVersion), mutex held \(Self.milliseconds(project.lockedSeconds))")
        }
        print("\(report.projects.count) project(s) into \(backup.destination): \(report.filesWritten) file(s) written (\(report.bytesWritten) bytes), \(report.filesRemoved) removed; longest mutex hold \(Self.milliseconds(report.longestLockSeconds))")
        if !report.notCopied.isEmpty {
            print("not copied: \(report.notCopied.joined(separator: ", ")) (not projects; .foundry holds the server's secret, which belongs in your secret store)")
        }
        guard !noVerify else { return }
        // The copy's server signatures are checked with the source root's public keys (.foundry/ is not copied).
        let keys = try KeyFiles(root: workspace.root).trustedKeys()
        let verification = try Verifier(workspace: try Workspace(root: backup.destination), trustedKeys: keys).verify(projects: projects)
        for finding in verification.findings { print(finding) }
        print("verify \(backup.destination): " + (verification.isClean ? "OK" : "\(verification.damage.count) problem(s)"))
        if !verification.isClean { throw ExitCode(1) }
    }

    private static func milliseconds(_ seconds: Double) -> String {
        String(format: "%.1f ms", seconds * 1000)
    }
}
