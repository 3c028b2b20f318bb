import Foundation

extension AuditLog {
    /// The entries matching `query` with a `seq` below `before` (all when
    /// `nil`), newest first, at most `query.limit`; `nextBefore` is the cursor
    /// of the next, older page (`nil` on the last one). Unreadable lines are
    /// skipped here; `foundry verify` reports them.
    public func pageNewestFirst(_ query: AuditQuery, before: Int?) throws -> (entries: [AuditEntry], nextBefore: Int?) {
        var found: [AuditEntry] = []
        for line in try entries().reversed() {
            guard let entry = line.entry, before.map({ entry.seq < $0 }) ?? true, query.matches(entry) else { continue }
            if found.count == query.limit { return (found, found.last?.seq) }
            found.append(entry)
        }
        return (found, nil)
    }
}
