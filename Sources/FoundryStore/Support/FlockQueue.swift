import Foundation

/// What `/proc/locks` says about processes queued for a `flock(2)`: tests
/// that need to know a locker is blocked (a certain condition, never a
/// sleep) ask it.
package enum FlockQueue {
    /// Whether some process waits for a `flock` on the file with this inode
    /// (a waiter's line reads `N: -> FLOCK ADVISORY READ pid maj:min:inode …`).
    package static func hasWaiter(onInode inode: ino_t) -> Bool {
        let text = (try? String(contentsOfFile: "/proc/locks", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").contains { line in
            let fields = line.split(separator: " ")
            guard fields.contains("->"), fields.contains("FLOCK"), let file = fields.first(where: { $0.filter { $0 == ":" }.count == 2 }) else { return false }
            return file.split(separator: ":").last == Substring(String(inode))
        }
    }
}
