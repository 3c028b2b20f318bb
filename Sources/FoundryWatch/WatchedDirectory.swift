/// What a watched directory is, which decides how its entries are read.
enum WatchedDirectory: Equatable {
    case root
    case project(String)
    case drafts(String)
    case locks(String)

    var project: String? {
        switch self {
        case .root: return nil
        case .project(let id), .drafts(let id), .locks(let id): return id
        }
    }
}
