import FoundryWatch

/// The `kind` label of `foundry_watcher_events_total`: one value per kind of watcher event.
enum WatcherEventLabel: String, Sendable, CaseIterable {
    case projectAppeared = "project_appeared"
    case manifestChanged = "manifest_changed"
    case draftCreated = "draft_created"
    case lockCreated = "lock_created"
    case lockChanged = "lock_changed"
    case lockReleased = "lock_released"
    case commentAdded = "comment_added"
    case taskAdded = "task_added"
    case signatureAdded = "signature_added"
    case runChanged = "run_changed"
    case consoleAppended = "console_appended"
    case overflow

    init(_ kind: WatchEvent.Kind) {
        switch kind {
        case .projectAppeared: self = .projectAppeared
        case .manifestChanged: self = .manifestChanged
        case .draftCreated: self = .draftCreated
        case .lockCreated: self = .lockCreated
        case .lockChanged: self = .lockChanged
        case .lockReleased: self = .lockReleased
        case .annotationAdded(.comments, _): self = .commentAdded
        case .annotationAdded(.tasks, _): self = .taskAdded
        case .annotationAdded(.signatures, _): self = .signatureAdded
        case .runChanged: self = .runChanged
        case .consoleAppended: self = .consoleAppended
        case .overflow: self = .overflow
        }
    }
}
