import Foundation
import Synchronization

/// Watches a workspace root with inotify and delivers typed `WatchEvent`s.
///
/// One dedicated thread reads the inotify descriptor (never the Swift
/// concurrency pool: `poll` blocks). It watches the root for new projects and
/// each project's directory, `drafts/` and `locks/`; a directory that appears
/// later is watched and scanned at once, so files created before its watch
/// are not missed. Events lost to a queue overflow or a lost watch come out
/// as `.overflow`, telling the consumer to rescan.
///
/// Why raw inotify and not libinotifytools: libinotifytools keeps one global
/// inotify instance per process and its blocking read cannot be woken for
/// shutdown, while a server (and its tests) must start and stop independent
/// watchers on several roots in one process. The system library is still
/// linked through the `CInotifyTools` module map for the `inotify` calls and
/// `IN_*` masks its header brings in.
public final class WorkspaceWatcher: Sendable {
    public let events: AsyncStream<WatchEvent>
    let control: WatchControl
    /// The kernel's `max_queued_events` when this watcher's inotify instance
    /// was made: the instance keeps that limit for its life.
    package let queueLimit: Int

    /// Starts watching `root` (which must exist) on a new thread.
    public init(root: String) throws {
        let (events, continuation) = AsyncStream.makeStream(of: WatchEvent.self, bufferingPolicy: .unbounded)
        self.events = events
        queueLimit = InotifyQueue.currentLimit
        let descriptor = inotify_init1(Int32(IN_CLOEXEC | IN_NONBLOCK))
        guard descriptor >= 0 else { throw WatchError.inotify(errno: errno) }
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else {
            close(descriptor)
            throw WatchError.inotify(errno: errno)
        }
        for end in pipeEnds { _ = fcntl(end, F_SETFL, O_NONBLOCK) }
        control = WatchControl(wakeWriter: pipeEnds[1])
        let loop = InotifyLoop.Configuration(root: root, descriptor: descriptor, wakeReader: pipeEnds[0], control: control, continuation: continuation)
        let thread = Thread { InotifyLoop(loop).run() }
        thread.name = "foundry-inotify"
        thread.start()
        control.waitUntilStarted()
    }

    /// Stops the thread and returns once the inotify descriptor is closed
    /// (so a new watcher can take its instance); `events` finishes.
    public func stop() {
        control.request { $0.stopping = true }
        control.waitUntilStopped()
    }

    deinit {
        stop()
    }

    /// Whether the watcher thread is reading inotify (`false` once it stopped, for whatever reason).
    public var isRunning: Bool {
        control.state.withLock { $0.started && !$0.finished }
    }
}

/// Why a watcher could not start.
public enum WatchError: Error, Sendable, CustomStringConvertible {
    case inotify(errno: Int32)

    public var description: String {
        switch self {
        case .inotify(let code) where code == EMFILE:
            return "cannot start the inotify watcher: this user has used up its inotify instances (raise fs.inotify.max_user_instances, e.g. sysctl -w fs.inotify.max_user_instances=512)"
        case .inotify(let code) where code == ENOSPC:
            return "cannot watch the workspace: inotify watch limit reached (raise fs.inotify.max_user_watches)"
        case .inotify(let code):
            return "cannot start the inotify watcher: \(String(cString: strerror(code)))"
        }
    }
}

/// Flags the owner sets and the watcher thread reads, plus the pipe that wakes it.
final class WatchControl: Sendable {
    struct State {
        var stopping = false
        var paused = false
        var started = false
        var finished = false
        /// Callers of `pause()` waiting for the thread to confirm it stopped reading.
        var pauseWaiters: [CheckedContinuation<Void, Never>] = []
    }

    let state = Mutex(State())
    private let wakeWriter: Int32
    private let started = DispatchSemaphore(value: 0)
    private let stopped = DispatchSemaphore(value: 0)

    init(wakeWriter: Int32) {
        self.wakeWriter = wakeWriter
    }

    /// Changes the state and wakes the thread to look at it.
    func request(_ change: (inout State) -> Void) {
        let alreadyStopping = state.withLock { state -> Bool in
            let wasStopping = state.stopping
            change(&state)
            return wasStopping
        }
        guard !alreadyStopping else { return }
        var byte: UInt8 = 1
        _ = write(wakeWriter, &byte, 1)
    }

    func markStarted() {
        state.withLock { $0.started = true }
        started.signal()
    }

    func waitUntilStarted() {
        started.wait()
    }

    /// Called by the thread last, after closing its descriptors.
    func markStopped() {
        let waiters = state.withLock { state in
            state.finished = true
            defer { state.pauseWaiters = [] }
            return state.pauseWaiters
        }
        for waiter in waiters { waiter.resume() }
        close(wakeWriter)
        stopped.signal()
    }

    /// Waits for the thread to finish; returns at once on later calls.
    func waitUntilStopped() {
        stopped.wait()
        stopped.signal()
    }
}
