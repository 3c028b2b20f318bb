import Foundation

/// `foundry backup DEST`: a consistent copy of a live workspace root.
///
/// Each project is copied in three steps (see `ProjectBackup`): what never
/// changes first, with no lock; then, under a shared hold of the project's
/// mutex, only reads of what changed since; then the writes. So each
/// project's copy is the state between two of its changes, taken after the
/// backup began: every change acknowledged before then is in it. Projects
/// are independent; each has its own cut.
///
/// The destination gets the workspace's write rules (temp file, `fsync`,
/// rename, directory `fsync`) and becomes a workspace root that `foundry
/// verify` checks and `foundry serve` serves. The server's private
/// directory (`.foundry/`: the HS256 secret) is never copied.
public struct WorkspaceBackup: Sendable {
    public let workspace: Workspace
    public let destination: String

    public init(workspace: Workspace, destination: String) {
        self.workspace = workspace
        let absolute = destination.hasPrefix("/") ? destination : FileManager.default.currentDirectoryPath + "/" + destination
        self.destination = (absolute as NSString).standardizingPath
    }

    /// Copies `projects` (default: every project present when it starts).
    ///
    /// - Throws: `BackupError` before writing anything when the destination
    ///   overlaps the root or is a non-empty directory that is not a backup;
    ///   `StoreError` when a file cannot be read or written.
    public func run(projects: [ProjectID]? = nil, now: () -> Date = Date.init) throws -> BackupReport {
        let previous = try checkDestination()
        let ids = try projects ?? workspace.projectIDs()
        let writer = BackupWriter(root: destination)
        try writer.makeDirectory(destination)
        try writer.syncDirectories()
        var marker = BackupMarker(
            source: workspace.root, host: ProcessInfo.processInfo.hostName, startedAt: Timestamp.string(from: now()),
            complete: false, projects: previous?.projects ?? []
        )
        try marker.write(root: destination)

        var report = BackupReport()
        for id in ids {
            var project = ProjectBackup(source: ProjectLayout(root: workspace.root, id: id), destination: ProjectLayout(root: destination, id: id), writer: writer)
            report.projects.append(try project.run())
        }
        try writer.syncDirectories()
        report.filesWritten = writer.filesWritten
        report.bytesWritten = writer.bytesWritten
        report.filesRemoved = writer.filesRemoved
        let copied = Set(ids.map(\.rawValue))
        report.notCopied = try FileIO.list(workspace.root).filter { !copied.contains($0) && !$0.hasPrefix(FileIO.tempPrefix) }

        marker.projects = report.projects
        marker.finishedAt = Timestamp.string(from: now())
        marker.complete = true
        try marker.write(root: destination)
        return report
    }

    /// The marker of an earlier backup in the destination, `nil` for a new or empty one.
    private func checkDestination() throws -> BackupMarker? {
        let root = workspace.root
        if destination == root || destination.hasPrefix(root + "/") || root.hasPrefix(destination + "/") {
            throw BackupError.destinationOverlapsRoot(destination: destination, root: root)
        }
        if let marker = try BackupMarker.read(root: destination) { return marker }
        guard try FileIO.list(destination).isEmpty else { throw BackupError.destinationNotABackup(destination) }
        return nil
    }
}
