/// A checklist item as its events make it.
public struct TaskItem: Sendable, Equatable {
    public var id: String
    public var title: String
    public var done: Bool
    public var assignee: String?
    public var link: TaskLink?
    /// Deleted items keep their history; lists leave them out unless asked.
    public var deleted: Bool
    public var createdBy: String
    public var createdAt: String
    public var updatedBy: String
    public var updatedAt: String
    /// Every record of the item, oldest first.
    public var events: [StoredAnnotation<TaskEvent>]

    public var lastSequence: Int { events.last?.sequence ?? 0 }

    /// The items of a series of records, in order of creation. Records of an
    /// item that was never created are ignored here (`foundry verify` reports them).
    public static func fold(_ records: [StoredAnnotation<TaskEvent>]) -> [TaskItem] {
        var items: [TaskItem] = []
        var index: [String: Int] = [:]
        for stored in records {
            let event = stored.record
            if event.event == .created {
                guard index[event.taskID] == nil else { continue }
                index[event.taskID] = items.count
                items.append(TaskItem(
                    id: event.taskID, title: event.title ?? "", done: event.done ?? false, assignee: event.assignee,
                    link: event.link, deleted: false, createdBy: event.authorID, createdAt: event.createdAt,
                    updatedBy: event.authorID, updatedAt: event.createdAt, events: [stored]
                ))
                continue
            }
            guard let position = index[event.taskID] else { continue }
            items[position].apply(stored)
        }
        return items
    }

    public mutating func apply(_ stored: StoredAnnotation<TaskEvent>) {
        let event = stored.record
        events.append(stored)
        updatedBy = event.authorID
        updatedAt = event.createdAt
        switch event.event {
        case .created:
            break
        case .updated:
            title = event.title ?? title
            assignee = event.assignee
            link = event.link
            if let value = event.done { done = value }
        case .done:
            done = true
        case .undone:
            done = false
        case .deleted:
            deleted = true
        }
    }
}
