import NIOPosix

/// Runs the store's blocking file operations (`fsync`, `flock`) on a thread
/// pool of their own, so neither the event loops nor Swift's cooperative
/// pool (two threads on a two-core machine) ever wait for a disk.
///
/// Calls made while `BlockingIO.changingProject` names a project (set for
/// each request that changes one, by `ProjectChangeMiddleware`) pass a
/// per-project gate first: a busy project cannot take every thread.
public struct BlockingIO: Sendable {
    /// The project the current request changes, if any.
    @TaskLocal static var changingProject: String?
    /// Whether the current work gives way to changes at the project's gate (a socket's join or leave).
    @TaskLocal static var inBackground = false

    /// Blocking calls one project's changes may have on the pool at once:
    /// one, since they take turns on the project's flock anyway.
    static let permitsPerProject = 1

    let pool: NIOThreadPool
    private let gate = ProjectGate(permits: BlockingIO.permitsPerProject)

    /// Threads of a pool made without a count: the server's pool for changes.
    /// A thread waiting for a flush costs no CPU, and the project gate lets
    /// each project have one, so this many projects flush at once.
    public static let defaultThreads = 16

    public init(threads: Int = BlockingIO.defaultThreads) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    public func run<T: Sendable>(_ body: @Sendable @escaping () throws -> T) async throws -> T {
        guard let project = Self.changingProject else { return try await pool.runIfActive(body) }
        await gate.enter(project, priority: Self.inBackground ? .background : .change)
        do {
            let result = try await pool.runIfActive(body)
            await gate.leave(project)
            return result
        } catch {
            await gate.leave(project)
            throw error
        }
    }

    /// How many calls changing `project` wait at its gate, holding no thread.
    func waitingAtGate(_ project: String) async -> Int {
        await gate.waiting(project)
    }

    public func shutdown() async throws {
        try await pool.shutdownGracefully()
    }
}
