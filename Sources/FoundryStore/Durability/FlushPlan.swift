/// What must be flushed before a change (or a round of changes) may be
/// acknowledged, in the order the flush must follow.
///
/// - `directories`: directories in which names were created, renamed or
///   removed and that the change did not flush itself (see
///   `ChangeWrites.flush`). The new files' bytes were flushed before their
///   names existed, so flushing the directory is what is left.
/// - `files`: files that were appended to (the audit trail). Flushed after
///   the directories, so that an audit line is never on disk before the
///   names of the change it records.
/// - `unloggedDirectories`: the directories of a change that appended to no
///   file (a lock refresh). On a journalled file system the audit file's
///   `fsync` covers the names made before it; a change without an audit
///   line has nothing after its names, so its directories are flushed
///   themselves.
/// - `removalsOnceDurable`: names to unlink only once the round has flushed
///   (a released lock's tombstone). Unlinked earlier, the next change's flush
///   of the same directory could make the unlink durable before this
///   change's audit line, and a power loss would then leave a granted lock
///   gone without its release: what `foundry verify` must call damage.
struct FlushPlan: Sendable, Equatable {
    var directories: Set<String> = []
    var files: Set<String> = []
    var unloggedDirectories: Set<String> = []
    var removalsOnceDurable: Set<String> = []

    var isEmpty: Bool { directories.isEmpty && files.isEmpty && unloggedDirectories.isEmpty && removalsOnceDurable.isEmpty }

    /// One change's needs, ready to be merged into a round.
    func sealed() -> FlushPlan {
        guard files.isEmpty else { return self }
        return FlushPlan(directories: [], files: [], unloggedDirectories: directories.union(unloggedDirectories), removalsOnceDurable: removalsOnceDurable)
    }

    mutating func merge(_ other: FlushPlan) {
        directories.formUnion(other.directories)
        files.formUnion(other.files)
        unloggedDirectories.formUnion(other.unloggedDirectories)
        removalsOnceDurable.formUnion(other.removalsOnceDurable)
    }

    /// The flushes a round makes, in order: each step's paths are flushed
    /// together, and a step starts when the one before it has finished.
    func steps(for ordering: FlushOrdering) -> [Set<String>] {
        let steps: [Set<String>] = ordering.isJournalled
            ? [files.union(unloggedDirectories)]
            : [directories.union(unloggedDirectories), files]
        return steps.filter { !$0.isEmpty }
    }
}
