import Foundation

/// `.foundry-backup.json` at the top of a backup: when it was taken, from
/// where, and whether it finished. A directory with it may be backed up into
/// again (only what changed is written); it is a consistent copy only while
/// `complete` is true — a backup interrupted half-way leaves `false`.
/// Its name starts with `.`, so the copy is itself a workspace root.
public struct BackupMarker: Codable, Sendable, Equatable {
    public static let fileName = ".foundry-backup.json"

    public var format = 1
    public var source: String
    public var host: String
    public var startedAt: String
    public var finishedAt: String?
    public var complete: Bool
    public var projects: [BackupReport.Project]

    enum CodingKeys: String, CodingKey {
        case format, source, host, complete, projects
        case startedAt = "started_at"
        case finishedAt = "finished_at"
    }

    /// The marker of the backup at `root`, or `nil` when there is none.
    public static func read(root: String) throws -> BackupMarker? {
        let path = root + "/" + fileName
        guard let data = try FileIO.read(path) else { return nil }
        return try CanonicalJSON.decode(BackupMarker.self, from: data, path: path)
    }

    func write(root: String) throws {
        try FileIO.replace(try CanonicalJSON.encode(self), at: root + "/" + Self.fileName)
    }
}
