/// Bounds how many test servers live at once.
///
/// Swift Testing starts every test of the run together, and each live server
/// holds an inotify instance. The kernel allows 128 instances per user
/// (`fs.inotify.max_user_instances`), shared with every other process of that
/// user (the fault suite's server processes, a second test run), so an
/// unbounded run fails with `EMFILE` on a busy machine. A test waits for a
/// slot before its server starts; its own deadlines start after that.
actor ServerSlots {
    static let shared = ServerSlots(limit: 16)

    private var free: Int
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(limit: Int) {
        free = limit
    }

    func acquire() async {
        if free > 0 {
            free -= 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func release() {
        if waiting.isEmpty { free += 1 } else { waiting.removeFirst().resume() }
    }

    /// Runs `body` holding a slot.
    static func withSlot<T>(_ body: () async throws -> T) async throws -> T {
        await shared.acquire()
        do {
            let result = try await body()
            await shared.release()
            return result
        } catch {
            await shared.release()
            throw error
        }
    }
}
