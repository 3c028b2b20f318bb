import Foundation
import FoundryDiff

/// Where a comment's (or a task link's) lines are at a given version.
public enum AnchorPosition: Sendable, Equatable {
    /// The anchored lines, unchanged, are these lines of the field at `version`.
    case at(version: Int, lines: ClosedRange<Int>)
    /// A line of the range was changed or deleted (or the field removed) in `version`.
    case outdated(in: Int)
    /// The comment anchors to a version after the one asked about.
    case later
}

/// Follows anchors from their version to a later one through the line diff
/// of each version that changed their field. Computed on read, nothing is
/// written. One tracker serves one request: it remembers which versions
/// changed which field and each diff it computed, so many comments on one
/// field cost one diff per change.
public final class AnchorTracker {
    private let store: ProjectStore
    private var changes: [String: [Int]] = [:]
    private var maps: [String: LineMap] = [:]
    private var newestScanned = 0

    public init(store: ProjectStore) {
        self.store = store
    }

    /// The position of `anchor` at `version`.
    public func position(of anchor: CommentAnchor, at version: Int) throws -> AnchorPosition {
        try position(of: anchor.lines, in: anchor.field, as: anchor.version, at: version)
    }

    /// The position of a task link's lines at `version`; `nil` for a link to a whole field.
    public func position(of link: TaskLink, at version: Int) throws -> AnchorPosition? {
        guard let start = link.lineStart else { return nil }
        return try position(of: start...max(start, link.lineEnd ?? start), in: link.field, as: link.version, at: version)
    }

    /// Where `lines` of `field` as of version `origin` are at `version`.
    private func position(of lines: ClosedRange<Int>, in field: String, as origin: Int, at version: Int) throws -> AnchorPosition {
        guard version >= origin else { return .later }
        var lines = lines
        var from = origin
        for change in try versions(changing: field, upTo: version) where change > origin {
            guard try store.draft(change).record.fields[field] != nil else { return .outdated(in: change) }
            guard let next = try map(field, from: from, to: change).map(lines) else { return .outdated(in: change) }
            lines = next
            from = change
        }
        return .at(version: version, lines: lines)
    }

    /// The versions ≤ `version` whose records list `field` as changed, ascending.
    private func versions(changing field: String, upTo version: Int) throws -> [Int] {
        if version > newestScanned {
            for current in (newestScanned + 1)...version {
                for name in try store.draft(current).record.changed { changes[name, default: []].append(current) }
            }
            newestScanned = version
        }
        return (changes[field] ?? []).filter { $0 <= version }
    }

    private func map(_ field: String, from old: Int, to new: Int) throws -> LineMap {
        let key = "\(old)-\(new)-\(field)"
        if let map = maps[key] { return map }
        let map = LineMap(old: try text(field, at: old), new: try text(field, at: new))
        maps[key] = map
        return map
    }

    private func text(_ field: String, at version: Int) throws -> String {
        String(decoding: try store.content(of: try FieldName(field), in: version), as: UTF8.self)
    }
}
