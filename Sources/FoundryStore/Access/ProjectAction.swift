/// What a request wants to do in a project; each role permits a set of them.
///
/// | action      | owner | editor | reviewer | viewer |
/// |-------------|:-----:|:------:|:--------:|:------:|
/// | read        |   ✓   |   ✓    |    ✓     |   ✓    |
/// | review      |   ✓   |   ✓    |    ✓     |        |
/// | edit        |   ✓   |   ✓    |          |        |
/// | readAudit   |   ✓   |        |    ✓     |        |
/// | sign        |   ✓   |   ✓    |    ✓     |        |
/// | manage      |   ✓   |        |          |        |
///
/// Which meanings each role may sign is `SignatureMeaning.permits`.
public enum ProjectAction: String, Sendable, CaseIterable {
    /// See the project, its versions, diffs and locks; subscribe to its events.
    case read
    /// Comments and tasks.
    case review
    /// Locks, saves, revert, undo/redo, runs.
    case edit
    /// The audit trail.
    case readAudit = "read_audit"
    /// Electronic signatures (the meaning decides further who may sign).
    case sign
    /// Members, freeze, forced lock release, the release policy.
    case manage
}

extension ProjectRole {
    /// Whether a member with this role may perform `action`.
    public func permits(_ action: ProjectAction) -> Bool {
        switch (self, action) {
        case (.owner, _): return true
        case (.editor, .read), (.editor, .review), (.editor, .edit), (.editor, .sign): return true
        case (.reviewer, .read), (.reviewer, .review), (.reviewer, .readAudit), (.reviewer, .sign): return true
        case (.viewer, .read): return true
        default: return false
        }
    }
}
