/// Names in a project directory that a backup never copies: the flock
/// target (each root has its own), temp files of writes in progress, and
/// lock tombstones (a lock being released).
enum BackupPath {
    static func isSkipped(_ name: String) -> Bool {
        name == ".mutex" || name.hasPrefix(FileIO.tempPrefix) || name.hasPrefix(LockTombstone.prefix)
    }
}
