/// A change in a workspace, typed by where it happened in the project layout.
public struct WatchEvent: Sendable, Equatable {
    /// The project directory name, or `"*"` for an event about the whole root.
    public var project: String
    public var kind: Kind

    public init(project: String, kind: Kind) {
        self.project = project
        self.kind = kind
    }

    public enum Kind: Sendable, Equatable {
        /// A project directory appeared under the root.
        case projectAppeared
        /// `project.json` was replaced with different bytes.
        case manifestChanged
        /// `drafts/<n>.json` appeared.
        case draftCreated(version: Int)
        /// `locks/<field>.lock` appeared (an acquire).
        case lockCreated(field: String)
        /// `locks/<field>.lock` was replaced with different bytes (a refresh).
        case lockChanged(field: String)
        /// A lock ended: renamed to its tombstone (reason known), or deleted by hand (`reason == "removed"`).
        case lockReleased(field: String, token: Int?, reason: String)
        /// `comments/<n>.json`, `tasks/<n>.json` or `signatures/<n>.json` appeared: record number `sequence`.
        case annotationAdded(AnnotationKind, sequence: Int)
        /// `runs/<run>/run.json` appeared or was replaced with different bytes.
        case runChanged(run: String)
        /// `runs/<run>/console.log` grew (or appeared).
        case consoleAppended(run: String)
        /// Events were lost (`IN_Q_OVERFLOW` or a lost watch): rescan the project (or all, for `"*"`).
        case overflow
    }

    /// The record directories of a project, each a numbered series of immutable records.
    public enum AnnotationKind: String, Sendable, Equatable, CaseIterable {
        case comments, tasks, signatures
    }
}
