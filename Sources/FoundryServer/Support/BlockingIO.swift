import NIOPosix

/// Runs the store's blocking file operations (`fsync`, `flock`) on a thread
/// pool of their own, so neither the event loops nor Swift's cooperative
/// pool (two threads on a two-core machine) ever wait for a disk.
public struct BlockingIO: Sendable {
    let pool: NIOThreadPool

    public init(threads: Int = 16) {
        pool = NIOThreadPool(numberOfThreads: threads)
        pool.start()
    }

    public func run<T: Sendable>(_ body: @Sendable @escaping () throws -> T) async throws -> T {
        try await pool.runIfActive(body)
    }

    public func shutdown() async throws {
        try await pool.shutdownGracefully()
    }
}
