extension ProjectMutex {
    /// Runs one change under the mutex and hands back its outcome with the
    /// flush that makes it durable.
    ///
    /// Room for the change's audit entries is made first (a full disk
    /// refuses the change before any file is touched, as with
    /// `change(auditedIn:)`); `body` then writes through `writes`, and the
    /// change's flush plan is submitted to `commit` *before* the mutex is let
    /// go. So the next change to this project, which may read what this one
    /// wrote, always gets a later round of the group commit: it cannot be
    /// acknowledged before this one is durable.
    ///
    /// An error thrown by `body` after it wrote something (a `lock.denied`
    /// line) is delivered after the flush, like a value.
    func commit<T: Sendable>(auditedIn audit: AuditLog, via commit: GroupCommit, _ body: (ChangeWrites) throws -> T) -> Pending<T> {
        let writes = ChangeWrites(commit: commit)
        do {
            return try withLock {
                defer { writes.discardUnplaced() }
                let outcome = Result<T, any Error> {
                    try audit.reserveLocked()
                    return try body(writes)
                }
                let plan = writes.plan
                return Pending(outcome, ticket: plan.isEmpty ? nil : commit.submit(plan))
            }
        } catch {
            return Pending(.failure(error), ticket: nil)
        }
    }
}
