import Foundation
import FoundryStore

/// Makes a lock file appear in a project by hand (temp file, then `link`,
/// as another process on the root would) and times its arrival twice: as
/// `LOCK_ACQUIRED` at a socket, and at a bare inotify watch of this process.
final class LockFileProbe {
    /// Both arrival times of one file, in nanoseconds after the `link`.
    struct Sample {
        var event: UInt64
        var inotify: UInt64
    }

    let store: ProjectStore
    private let inotify: InotifyProbe
    private var made = 0

    init(store: ProjectStore) throws {
        self.store = store
        inotify = try InotifyProbe(directory: store.layout.locks)
    }

    /// One lock file for `field`, timed until `observer` has the event; then the file is removed again.
    func measure(_ field: String, observer: LoadSocket) async throws -> Sample {
        made += 1
        let final = store.layout.lock(try FieldName(field))
        let lock = FieldLock(field: field, user: "outsider", session: "outsider", token: 1_000_000 + made,
                             acquiredAt: Timestamp.string(from: Date()), expiresAt: Timestamp.string(from: Date().addingTimeInterval(600)))
        let temp = store.layout.locks + "/" + FileIO.tempPrefix + "bench-\(made)"
        try JSONEncoder().encode(lock).write(to: URL(fileURLWithPath: temp))
        let start = Monotonic.now()
        guard link(temp, final) == 0 else { throw BenchFailure("link \(final): errno \(errno)") }
        unlink(temp)
        let name = (final as NSString).lastPathComponent
        try await waitUntil("the event for \(field)") { observer.arrival("LOCK_ACQUIRED", field: field) != nil && inotify.arrival(name) != nil }
        let sample = Sample(event: observer.arrival("LOCK_ACQUIRED", field: field)! - start, inotify: inotify.arrival(name)! - start)
        unlink(final)
        try await waitUntil("the release of \(field)") { observer.arrival("LOCK_RELEASED", field: field) != nil }
        return sample
    }

    func stop() {
        inotify.stop()
    }
}
