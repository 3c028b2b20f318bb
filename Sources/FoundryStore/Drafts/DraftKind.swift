/// What created a version.
public enum DraftKind: String, Codable, Sendable {
    /// Initial fields given when the project was created.
    case create
    /// An editor saved fields it held locks on.
    case save
    /// The whole project was set back to an earlier version.
    case revert
    /// One field was set back to its state before its latest edit.
    case undo
    /// One field was set forward again to an undone edit.
    case redo
    /// `foundry import` read a directory of assets.
    case `import`
}
