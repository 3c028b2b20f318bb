import Foundation

/// Revert, undo and redo: each writes a new version, nothing is deleted.
///
/// They need no lock of their own, but a field locked by another session
/// is not touched behind its holder's back: the change is refused (423).
extension ProjectStore {
    /// Sets every field back to version `target`, as a new version
    /// (revert to v14 after v15 creates v16, a clone of v14).
    @discardableResult
    public func revert(to target: Int, by identity: EditorIdentity, message: String? = nil, now: Date = Date()) throws -> StoredDraft {
        try mutex.commit(auditedIn: audit, via: groupCommit) { writes in
            try requireOpenLocked()
            let old = try draft(target).record
            let head = try self.head()?.record.fields ?? [:]
            for name in Set(head.keys).union(old.fields.keys) where head[name]?.sha256 != old.fields[name]?.sha256 {
                try locks.requireNotHeldByOthers(try FieldName(name), identity: identity, now: now)
            }
            let pending = PendingVersion(kind: .revert, fields: old.fields, identity: identity, message: message ?? "revert to version \(target)", revertedTo: target)
            return try commitLocked(pending, in: writes, now: now)
        }.wait()
    }

    /// Sets `field` back to its content before its latest edit not yet undone.
    @discardableResult
    public func undo(_ field: FieldName, by identity: EditorIdentity, now: Date = Date()) throws -> StoredDraft {
        try mutex.commit(auditedIn: audit, via: groupCommit) { writes in
            try requireOpenLocked()
            guard let edit = try undoStack(field).done.last else { throw StoreError.nothingToUndo(field: field.rawValue) }
            let previous = edit == 1 ? nil : try draft(edit - 1).record.fields[field.rawValue]
            return try setField(field, to: previous, kind: .undo, step: edit, by: identity, in: writes, now: now)
        }.wait()
    }

    /// Sets `field` forward again to the edit most recently undone.
    @discardableResult
    public func redo(_ field: FieldName, by identity: EditorIdentity, now: Date = Date()) throws -> StoredDraft {
        try mutex.commit(auditedIn: audit, via: groupCommit) { writes in
            try requireOpenLocked()
            guard let edit = try undoStack(field).undone.last else { throw StoreError.nothingToRedo(field: field.rawValue) }
            return try setField(field, to: try draft(edit).record.fields[field.rawValue], kind: .redo, step: edit, by: identity, in: writes, now: now)
        }.wait()
    }

    private func undoStack(_ field: FieldName) throws -> FieldUndoStack {
        let head = try headVersion()
        return FieldUndoStack(field: field.rawValue, records: try (0..<head).map { try draft($0 + 1).record })
    }

    private func setField(_ field: FieldName, to entry: FieldEntry?, kind: DraftKind, step: Int, by identity: EditorIdentity, in writes: ChangeWrites, now: Date) throws -> StoredDraft {
        try locks.requireNotHeldByOthers(field, identity: identity, now: now)
        var fields = try head()?.record.fields ?? [:]
        fields[field.rawValue] = entry
        var pending = PendingVersion(kind: kind, fields: fields, identity: identity, message: "\(kind.rawValue) of version \(step) on \(field)")
        if kind == .undo { pending.undoOf = step } else { pending.redoOf = step }
        return try commitLocked(pending, in: writes, now: now)
    }
}
