import Foundation

/// A filter and page over an audit trail, shared by `GET /projects/{id}/audit`
/// and `foundry audit`.
public struct AuditQuery: Sendable, Equatable {
    public var user: String?
    /// An exact type (`lock.denied`) or a family (`lock` matches every `lock.*`).
    public var type: String?
    public var since: Date?
    public var until: Date?
    /// Entries with a larger `seq` only: the cursor of an oldest-first page.
    public var after: Int = 0
    /// Entries with a smaller `seq` only: the cursor of a newest-first page.
    public var before: Int?
    public var limit: Int = 100
    /// Newest entries first (the page ends `before`, or at the end of the trail).
    public var newestFirst = false

    public init(user: String? = nil, type: String? = nil, since: Date? = nil, until: Date? = nil, after: Int = 0,
                before: Int? = nil, limit: Int = 100, newestFirst: Bool = false) {
        self.user = user
        self.type = type
        self.since = since
        self.until = until
        self.after = after
        self.before = before
        self.limit = limit
        self.newestFirst = newestFirst
    }

    public func matches(_ entry: AuditEntry) -> Bool {
        guard entry.seq > after else { return false }
        if let before, entry.seq >= before { return false }
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

/// One page of audit entries: oldest first with `nextAfter` as the cursor of
/// the next page, or newest first with `nextBefore`; the cursor is `nil` on
/// the last page.
public struct AuditPage: Sendable, Equatable {
    public var entries: [AuditEntry]
    public var nextAfter: Int?
    public var nextBefore: Int?

    public init(entries: [AuditEntry], nextAfter: Int? = nil, nextBefore: Int? = nil) {
        self.entries = entries
        self.nextAfter = nextAfter
        self.nextBefore = nextBefore
    }
}
