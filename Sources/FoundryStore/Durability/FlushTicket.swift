/// A change's place in its file system's group commit: the change is
/// durable once the round `round` has finished.
public struct FlushTicket: Sendable {
    let commit: GroupCommit
    let round: UInt64

    /// Blocks the calling thread until the change is durable.
    public func wait() throws {
        try commit.wait(self)
    }

    /// Suspends until the change is durable, holding no thread.
    public func durable() async throws {
        try await commit.durable(self)
    }

}

/// The outcome of a change that has been decided and written but may not
/// be durable yet: its value (or the error that refused it, which may
/// itself have left an audit line, such as `lock.denied`) and the flush
/// that makes it durable. Hand the outcome to the caller only after
/// `wait()` or `durable()`: that is when a change counts as acknowledged.
public struct Pending<Value: Sendable>: Sendable {
    public let outcome: Result<Value, any Error>
    public let ticket: FlushTicket?

    init(_ outcome: Result<Value, any Error>, ticket: FlushTicket?) {
        self.outcome = outcome
        self.ticket = ticket
    }

    /// The value once durable, on this thread (the CLI, tests, the store's own callers).
    public func wait() throws -> Value {
        try ticket?.wait()
        return try outcome.get()
    }

    /// The value once durable, without holding a thread (the server).
    public func durable() async throws -> Value {
        try await ticket?.durable()
        return try outcome.get()
    }

    /// The same outcome with its value transformed (the ticket is unchanged).
    public func map<Other: Sendable>(_ transform: (Value) throws -> Other) -> Pending<Other> {
        Pending<Other>(outcome.flatMap { value in Result { try transform(value) } }, ticket: ticket)
    }
}
