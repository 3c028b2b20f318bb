/// The undo and redo stacks of one field, rebuilt by replaying its history.
///
/// Every version that changed the field is an edit (pushed on `done`, and it
/// clears `undone`), except undo and redo versions, which move one edit
/// between the stacks. Undoing edit `e` sets the field back to its content
/// at version `e - 1`; redoing `e` sets it to its content at `e`. So history
/// stays linear: undo and redo are new versions too.
struct FieldUndoStack {
    private(set) var done: [Int] = []
    private(set) var undone: [Int] = []

    init(field: String, records: some Sequence<DraftRecord>) {
        for record in records where record.changed.contains(field) {
            switch record.kind {
            case .undo where record.undoOf != nil:
                if let edit = done.popLast() { undone.append(edit) }
            case .redo where record.redoOf != nil:
                if let edit = undone.popLast() { done.append(edit) }
            default:
                done.append(record.versionNumber)
                undone.removeAll()
            }
        }
    }
}
