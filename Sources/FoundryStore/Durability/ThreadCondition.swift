#if canImport(Glibc)
import Glibc
#endif

/// A POSIX mutex with a condition variable, for threads that block until
/// another thread changes shared state (the group commit's flusher and the
/// changes waiting for it; the fsync helpers and their callers).
///
/// `@unchecked Sendable` is sound: the two pthread objects are allocated
/// once, never moved (they live behind pointers), and are only touched
/// through the pthread calls, which are thread-safe by definition. The
/// state they guard lives in the callers and is read and written only
/// between `lock()` and `unlock()`.
final class ThreadCondition: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let condition = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }

    /// Waits for a `broadcast`; call with the lock held (it is held again on return).
    func wait() { pthread_cond_wait(condition, mutex) }

    func broadcast() { pthread_cond_broadcast(condition) }

    /// Runs `body` with the lock held.
    func locked<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}
