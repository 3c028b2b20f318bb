/// The comparison of two whole versions: which fields were added, removed
/// or changed (each list sorted), and the diff of each such field.
public struct VersionDiff: Codable, Sendable, Equatable {
    public var added: [String]
    public var removed: [String]
    public var changed: [String]
    public var files: [FileDiff]

    /// Identical versions have nothing to show.
    public var isEmpty: Bool { files.isEmpty }

    /// Every field's patch, in field order; empty for identical versions.
    public func unified() -> String {
        files.map { $0.unified() }.joined()
    }
}

/// Compares versions given as field name → side.
public enum Differ {
    public static func compare(old: [String: DiffSide], new: [String: DiffSide], context: Int = 3) -> VersionDiff {
        let names = Set(old.keys).union(new.keys).sorted()
        let files = names.compactMap { name -> FileDiff? in
            guard old[name]?.hash != new[name]?.hash || old[name] == nil || new[name] == nil else { return nil }
            return FileDiff(field: name, old: old[name], new: new[name], context: context)
        }
        return VersionDiff(
            added: files.filter { $0.status == .added }.map(\.field),
            removed: files.filter { $0.status == .removed }.map(\.field),
            changed: files.filter { $0.status == .modified }.map(\.field),
            files: files
        )
    }
}
