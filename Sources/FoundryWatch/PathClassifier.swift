import FoundryStore

/// Maps an inotify event (directory kind, entry name, mask bits) to a typed
/// event, following the project layout of `FoundryStore.ProjectLayout`.
/// Temp files (`.tmp-*`) and everything unknown give `nil`.
enum PathClassifier {
    struct Flags {
        var created: Bool
        var movedIn: Bool
        var closedAfterWrite: Bool
        var deleted: Bool
        var modified: Bool = false
    }

    static func classify(_ directory: WatchedDirectory, name: String, flags: Flags) -> WatchEvent.Kind? {
        guard !name.hasPrefix(FileIO.tempPrefix) else { return nil }
        switch directory {
        case .root:
            return nil
        case .project:
            return name == "project.json" && (flags.movedIn || flags.closedAfterWrite) ? .manifestChanged : nil
        case .drafts:
            guard flags.created || flags.movedIn, let version = draftVersion(name) else { return nil }
            return .draftCreated(version: version)
        case .locks:
            if flags.movedIn, let tombstone = LockTombstone(fileName: name) {
                return .lockReleased(field: tombstone.field.rawValue, token: tombstone.token, reason: tombstone.reason.rawValue)
            }
            guard let field = lockField(name) else { return nil }
            if flags.created { return .lockCreated(field: field) }
            if flags.movedIn || flags.closedAfterWrite { return .lockChanged(field: field) }
            if flags.deleted { return .lockReleased(field: field, token: nil, reason: "removed") }
            return nil
        case .annotations(_, let kind):
            guard flags.created || flags.movedIn, let sequence = draftVersion(name) else { return nil }
            return .annotationAdded(kind, sequence: sequence)
        case .runs:
            return nil
        case .run(_, let run):
            if name == "run.json", flags.movedIn || flags.closedAfterWrite { return .runChanged(run: run) }
            if name == "console.log", flags.created || flags.movedIn || flags.modified { return .consoleAppended(run: run) }
            return nil
        }
    }

    /// The number of a six-digit record file (`000016.json`): a draft version or an annotation sequence.
    static func draftVersion(_ name: String) -> Int? {
        guard name.hasSuffix(".json"), name.count == 11, let version = Int(name.dropLast(5)) else { return nil }
        return version
    }

    /// Whether `name` can be a run directory (the same rule as a project id: a lowercase slug).
    static func isRunName(_ name: String) -> Bool {
        (try? ProjectID(name)) != nil
    }

    static func lockField(_ name: String) -> String? {
        guard name.hasSuffix(".lock"), !name.hasPrefix(".") else { return nil }
        return try? FieldName(String(name.dropLast(5)).replacingOccurrences(of: "%2F", with: "/")).rawValue
    }
}
