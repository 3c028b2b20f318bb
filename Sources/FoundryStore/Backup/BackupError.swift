/// Why `foundry backup` refused to start; nothing was written.
public enum BackupError: Error, Equatable, CustomStringConvertible {
    /// The destination holds files and is not an earlier backup (no `.foundry-backup.json`).
    case destinationNotABackup(String)
    /// The destination is the workspace root, or inside it, or holds it.
    case destinationOverlapsRoot(destination: String, root: String)

    public var description: String {
        switch self {
        case .destinationNotABackup(let path):
            "\(path) is not empty and holds no \(BackupMarker.fileName): choose an empty directory or an earlier backup"
        case .destinationOverlapsRoot(let destination, let root):
            "the backup destination \(destination) overlaps the workspace root \(root): choose a directory outside it"
        }
    }
}
