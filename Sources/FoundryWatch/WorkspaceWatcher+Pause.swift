import Foundation
import FoundryStore

/// Test hooks for lost events: a reading thread known to be paused, and a
/// burst certain to overflow the kernel queue behind it.
///
/// A test that wants `IN_Q_OVERFLOW` must not hope the thread is slow: it
/// awaits `pause()` (which returns only once the thread has stopped
/// reading), causes more events than `queueLimit`, and calls `resume()`.
extension WorkspaceWatcher {
    /// Returns once the thread is known not to read inotify until `resume()`:
    /// every event from then on waits in the kernel queue. Returns at once
    /// when the watcher has stopped.
    package func pause() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let finished = control.state.withLock { state -> Bool in
                state.paused = true
                if !state.finished { state.pauseWaiters.append(waiter) }
                return state.finished
            }
            if finished { waiter.resume() } else { control.request { _ in } }
        }
    }

    /// Lets the thread read inotify again (it reports the overflow, if any, first thing).
    package func resume() {
        control.request { $0.paused = false }
    }

    /// Causes more inotify events in `directory` than this watcher's queue
    /// holds, with a temp-named file (`.tmp-burst-…`, which the watcher
    /// ignores, so nothing but the overflow reaches the consumer): `directory`
    /// must be one the watcher watches, and the watcher paused. The file is
    /// renamed back and forth `queueLimit + 1` times; every watched directory
    /// reports a rename into it (`IN_MOVED_TO`, each with its own cookie, so
    /// the kernel merges none), so the queue overflows whatever was queued
    /// before. Blocking; run it off Swift's cooperative pool.
    package func overflowQueue(in directory: String) throws {
        precondition(control.state.withLock { $0.paused }, "overflowQueue needs a paused watcher")
        let names = [directory + "/" + FileIO.tempPrefix + "burst-a", directory + "/" + FileIO.tempPrefix + "burst-b"]
        let fd = open(names[0], O_WRONLY | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        close(fd)
        for index in 0...queueLimit where rename(names[index % 2], names[(index + 1) % 2]) != 0 {
            throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO)
        }
        unlink(names[(queueLimit + 1) % 2])
    }
}

/// The kernel's limit on queued inotify events.
enum InotifyQueue {
    /// `/proc/sys/fs/inotify/max_queued_events` now (16,384 by default).
    static var currentLimit: Int {
        let text = (try? String(contentsOfFile: "/proc/sys/fs/inotify/max_queued_events", encoding: .utf8)) ?? ""
        return Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 16384
    }
}

extension WatchControl {
    /// The thread's view of the flags, read at the top of each turn. Callers
    /// of `pause()` are released here: from this turn on the thread leaves
    /// the inotify descriptor out of its `poll` (or `resume()` came first).
    func takeState() -> State {
        let (snapshot, waiters) = state.withLock { state -> (State, [CheckedContinuation<Void, Never>]) in
            let waiters = state.pauseWaiters
            state.pauseWaiters = []
            return (state, waiters)
        }
        for waiter in waiters { waiter.resume() }
        return snapshot
    }
}
