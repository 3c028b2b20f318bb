import Foundation

/// A filter and page over an audit trail, shared by `GET /projects/{id}/audit`
/// and `foundry audit`.
public struct AuditQuery: Sendable, Equatable {
    public var user: String?
    /// An exact type (`lock.denied`) or a family (`lock` matches every `lock.*`).
    public var type: String?
    public var since: Date?
    public var until: Date?
    /// Entries with a larger `seq` only: the page cursor.
    public var after: Int = 0
    public var limit: Int = 100

    public init(user: String? = nil, type: String? = nil, since: Date? = nil, until: Date? = nil, after: Int = 0, limit: Int = 100) {
        self.user = user
        self.type = type
        self.since = since
        self.until = until
        self.after = after
        self.limit = limit
    }

    public func matches(_ entry: AuditEntry) -> Bool {
        guard entry.seq > after else { return false }
        if let user, entry.user != user { return false }
        if let type, entry.type.rawValue != type, !entry.type.rawValue.hasPrefix(type + ".") { return false }
        if since != nil || until != nil {
            guard let time = Timestamp.date(from: entry.ts) else { return false }
            if let since, time < since { return false }
            if let until, time > until { return false }
        }
        return true
    }
}

/// One page of audit entries; `nextAfter` is the cursor for the next page
/// (`nil` on the last one).
public struct AuditPage: Sendable, Equatable {
    public var entries: [AuditEntry]
    public var nextAfter: Int?
}

extension AuditLog {
    /// The entries matching `query`, oldest first, at most `query.limit`.
    /// Unreadable lines are skipped here; `foundry verify` reports them.
    public func page(_ query: AuditQuery) throws -> AuditPage {
        var found: [AuditEntry] = []
        for line in try entries() {
            guard let entry = line.entry, query.matches(entry) else { continue }
            if found.count == query.limit { return AuditPage(entries: found, nextAfter: found.last?.seq) }
            found.append(entry)
        }
        return AuditPage(entries: found, nextAfter: nil)
    }
}
