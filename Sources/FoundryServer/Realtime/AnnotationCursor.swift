import FoundryStore
import FoundryWatch

/// How far a hub has announced one annotation series: every record up to
/// `contiguous`, plus records above a gap (a record still missing, or not
/// yet readable, below them). A record is announced once; a gap is filled
/// when its record shows up.
struct AnnotationCursor: Sendable, Equatable {
    var contiguous = 0
    var ahead: Set<Int> = []

    /// The highest record announced.
    var highest: Int { max(contiguous, ahead.max() ?? 0) }

    func isAnnounced(_ sequence: Int) -> Bool {
        sequence <= contiguous || ahead.contains(sequence)
    }

    /// Marks `sequence` announced; `false` when it already was.
    mutating func mark(_ sequence: Int) -> Bool {
        guard !isAnnounced(sequence) else { return false }
        ahead.insert(sequence)
        while ahead.remove(contiguous + 1) != nil { contiguous += 1 }
        return true
    }
}

/// The cursors of `comments/`, `tasks/` and `signatures/`.
struct AnnotationCursors: Sendable, Equatable {
    var comments = AnnotationCursor()
    var tasks = AnnotationCursor()
    var signatures = AnnotationCursor()

    subscript(series: AnnotationSeries) -> AnnotationCursor {
        get {
            switch series {
            case .comments: comments
            case .tasks: tasks
            case .signatures: signatures
            }
        }
        set {
            switch series {
            case .comments: comments = newValue
            case .tasks: tasks = newValue
            case .signatures: signatures = newValue
            }
        }
    }

    /// Everything on disk counts as announced: a new hub's clients get it from the HTTP lists.
    static func load(_ store: ProjectStore) throws -> AnnotationCursors {
        AnnotationCursors(
            comments: AnnotationCursor(contiguous: try store.comments.sequences().last ?? 0),
            tasks: AnnotationCursor(contiguous: try store.tasks.sequences().last ?? 0),
            signatures: AnnotationCursor(contiguous: try store.signatures.sequences().last ?? 0)
        )
    }
}

/// A record ready to broadcast: its series and number (for de-duplication), the event type and data.
struct AnnotationAnnouncement: Sendable {
    var series: AnnotationSeries
    var sequence: Int
    var type: EventType
    var data: [String: JSONValue]
}

extension AnnotationSeries {
    init(_ kind: WatchEvent.AnnotationKind) {
        switch kind {
        case .comments: self = .comments
        case .tasks: self = .tasks
        case .signatures: self = .signatures
        }
    }
}
