import FoundryStore

/// A change read from the files, ready for a hub to apply.
enum HubUpdate: Sendable {
    case drafts([StoredDraft])
    case lock(FieldLock)
    case lockReleased(field: String, token: Int?, reason: String)
    case manifest(ProjectManifest)
    /// Events were lost: the files as they are now, and versions the hub has not announced.
    case rescan(ProjectFileState, missedDrafts: [StoredDraft])
    /// Comment or task records, read and rendered, in order.
    case annotations([AnnotationAnnouncement])
}

extension ProjectHub {
    /// Applies what the watcher saw, broadcasting what changed. Idempotent:
    /// a version or lock token already known is not announced twice.
    func apply(_ update: HubUpdate) {
        switch update {
        case .drafts(let drafts):
            announce(drafts)
        case .lock(let lock):
            let known = files.locks[lock.field]
            files.locks[lock.field] = lock
            if known?.token != lock.token { broadcast(.lockAcquired, lockData(lock)) }
        case .lockReleased(let field, let token, let reason):
            guard let held = files.locks[field], token == nil || token == held.token else { return }
            files.locks[field] = nil
            var data = lockData(held)
            data["reason"] = .string(reason)
            broadcast(.lockReleased, data)
        case .manifest(let manifest):
            let wasFrozen = files.state == .frozen
            files.state = manifest.state
            if !wasFrozen, manifest.state == .frozen {
                broadcast(.projectFrozen, ["head_version": .int(files.headVersion), "head_draft_id": files.headDraftID.json])
            }
        case .annotations(let announcements):
            announce(announcements)
        case .rescan(let state, let missed):
            announce(missed)
            files = state
            broadcastResync()
        }
    }

    private func announce(_ drafts: [StoredDraft]) {
        for draft in drafts where draft.record.versionNumber > files.headVersion {
            files.headVersion = draft.record.versionNumber
            files.headDraftID = draft.id
            guard case .object(let data) = draft.savedEvent else { continue }
            broadcast(.draftSaved, data)
            announceScratchpad(draft)
        }
    }

    private func lockData(_ lock: FieldLock) -> [String: JSONValue] {
        guard case .object(let data) = lock.json else { return [:] }
        return data
    }

    /// Broadcasts `RESYNC` with a fresh snapshot: every socket converges on the files.
    private func broadcastResync() {
        guard case .object(var data) = snapshot(reason: "events were lost; this snapshot replaces your state") else { return }
        data["seq"] = .int(currentSeq + 1)
        broadcast(.resync, data)
    }
}
