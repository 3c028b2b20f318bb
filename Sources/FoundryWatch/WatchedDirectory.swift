/// What a watched directory is, which decides how its entries are read.
enum WatchedDirectory: Equatable {
    case root
    case project(String)
    case drafts(String)
    case locks(String)
    /// `comments/`, `tasks/` or `signatures/`: one immutable record file per event.
    case annotations(String, WatchEvent.AnnotationKind)
    /// `runs/`: one directory per test run.
    case runs(String)
    /// `runs/<run>/`: its `run.json` and `console.log`.
    case run(String, run: String)

    var project: String? {
        switch self {
        case .root: return nil
        case .project(let id), .drafts(let id), .locks(let id), .annotations(let id, _), .runs(let id), .run(let id, _): return id
        }
    }

    /// The directory kind of `name` inside a project directory, if it is watched.
    static func projectSubdirectory(_ name: String, of project: String) -> WatchedDirectory? {
        switch name {
        case "drafts": return .drafts(project)
        case "locks": return .locks(project)
        case "runs": return .runs(project)
        default: return WatchEvent.AnnotationKind(rawValue: name).map { .annotations(project, $0) }
        }
    }
}
