import Foundation

/// What `/proc/locks` says about processes queued for a `flock(2)`: tests
/// that need to know a locker is blocked (a certain condition, never a
/// sleep) ask it.
package enum FlockQueue {
    /// Whether some process waits for a `flock` on the file with this inode.
    package static func hasWaiter(onInode inode: ino_t) -> Bool {
        waiters(onInodes: [inode]) > 0
    }

    /// How many `flock` calls wait for the files with these inodes (a
    /// waiter's line reads `N: -> FLOCK ADVISORY READ pid maj:min:inode …`,
    /// indented further for a waiter queued behind another).
    package static func waiters(onInodes inodes: Set<ino_t>) -> Int {
        // Read to the end: `String(contentsOfFile:)` stops after the first page
        // of a /proc file, and on a busy machine /proc/locks is longer than that.
        let text = String(decoding: FileHandle(forReadingAtPath: "/proc/locks")?.readDataToEndOfFile() ?? Data(), as: UTF8.self)
        let wanted = Set(inodes.map { String($0) })
        return text.split(separator: "\n").filter { line in
            let fields = line.split(separator: " ")
            guard fields.contains("->"), fields.contains("FLOCK"), let file = fields.first(where: { $0.filter { $0 == ":" }.count == 2 }) else { return false }
            return file.split(separator: ":").last.map { wanted.contains(String($0)) } ?? false
        }.count
    }
}
