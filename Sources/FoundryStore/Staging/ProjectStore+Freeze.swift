import Foundation

extension ProjectStore {
    /// Freezes the project at its head version, `signer` signing it
    /// `released`: checks the release policy's approvals, writes the
    /// `released` signature (and its audit entry), writes `bundles/<name>/`
    /// with every signature on the version, the server's public keys and the
    /// seal, then turns `project.json` to `frozen` (the watcher's change makes
    /// the hubs broadcast `PROJECT_FROZEN`), then appends `project.frozen` to
    /// the audit trail — all under the project mutex.
    ///
    /// Refused, with no file changed, when the project is already frozen
    /// (`alreadyFrozen`), has no version, the head is not `expectedVersion`
    /// (`conflict`), a live lock is held (`locksHeld`, naming each), a
    /// JSON/JSONL/YAML field does not parse (`invalidContent`, naming field,
    /// line and column), the head lacks approvals (`approvalsMissing`), the
    /// signer may not release or lacks authentication components, or
    /// `bundles/<name>` exists and is not a complete bundle of this very
    /// version (`bundleExists`). A complete one is what a freeze interrupted
    /// before the manifest write leaves behind: it is verified and adopted as
    /// it is (`reused`), keeping its recorded freeze and signatures.
    @discardableResult
    public func freeze(_ request: FreezeRequest, by signer: Signer, now: Date = Date()) throws -> FreezeResult {
        guard let notary else { throw StoreError.signingUnavailable }
        if let reason = request.reason { try Self.checkText(reason, what: "the reason", limit: Self.maximumReasonBytes) }
        let identity = signer.identity
        return try mutex.change(auditedIn: audit) {
            var project = try manifest()
            guard project.state == .open else { throw StoreError.alreadyFrozen(project: id.rawValue, bundle: project.freeze?.bundle) }
            guard project.headVersion > 0 else { throw StoreError.invalidArgument("project '\(id)' has no version to freeze") }
            if let expected = request.expectedVersion, expected != project.headVersion {
                throw StoreError.conflict("version \(expected) is not the head of project '\(id)' any more (the head is \(project.headVersion)); review it and freeze again")
            }
            let head = try draft(project.headVersion)
            let allLocks = try locks.all()
            let live = allLocks.filter { !$0.isExpired(at: now) }
            guard live.isEmpty else { throw StoreError.locksHeld(live.sorted { $0.field < $1.field }) }
            if let invalid = Self.invalidContent(in: head) { throw invalid }
            let name = request.bundleName ?? BundleName(project: id, label: head.record.label)
            let path = layout.bundle(name)

            let tree: ReleaseTree
            let reused = FileIO.exists(path)
            var released: StoredSignature?
            if reused {
                tree = try adoptableBundle(at: path, name: name, head: head)
            } else {
                let policy = project.releasePolicy ?? .default
                _ = try requireApprovalsLocked(of: head, policy: policy)
                let signature = try signLocked(SignatureRequest(version: head.record.versionNumber, meaning: .released, reason: request.reason), by: signer, now: now)
                tree = try signedReleaseTree(of: head, bundle: name, projectName: project.name, policy: policy, by: identity, notary: notary, now: now)
                try BundleDirectory.write(tree, to: path)
                released = signature
            }
            for lock in allLocks { try locks.retire(lock, reason: .expired, by: .server, now: now) }

            let frozenAt = tree.manifest.frozenAt ?? Timestamp.string(from: now)
            project.state = .frozen
            project.freeze = FreezeInfo(bundle: name.rawValue, version: head.record.versionNumber, draftID: head.id, frozenBy: tree.manifest.frozenBy ?? identity.user, frozenAt: frozenAt)
            try writeManifest(project)
            let manifestHash = Digest.sha256(tree.files[ReleaseTree.manifestName]!)
            try audit.appendLocked(AuditEvent(.projectFrozen, by: identity, version: head.record.versionNumber, data: [
                "draft_id": .string(head.id), "label": .string(head.record.label), "bundle": .string(name.rawValue),
                "manifest_sha256": .string(manifestHash), "frozen_at": .string(frozenAt), "reused_bundle": .bool(reused),
            ]), now: now)
            return FreezeResult(bundle: name, path: path, manifest: tree.manifest, manifestSHA256: manifestHash, reused: reused, project: project, signature: released)
        }
    }

    /// The bundle at `path` when it is a complete, intact bundle of `head`
    /// of this project; `bundleExists` otherwise.
    private func adoptableBundle(at path: String, name: BundleName, head: StoredDraft) throws -> ReleaseTree {
        let tree: ReleaseTree
        do {
            tree = try BundleDirectory.read(path)
        } catch let error as StoreError {
            throw StoreError.bundleExists(name.rawValue, reason: "it is not a complete bundle (\(error)); remove it or choose another name")
        }
        let manifest = tree.manifest
        guard manifest.projectID == id.rawValue, manifest.version == head.record.versionNumber, manifest.draftID == head.id,
              manifest.frozenAt != nil,
              Set(manifest.fields.keys) == Set(head.record.fields.keys),
              manifest.fields.allSatisfy({ head.record.fields[$0.key]?.sha256 == $0.value.sha256 })
        else {
            throw StoreError.bundleExists(name.rawValue, reason: "it holds version \(manifest.version) (draft \(manifest.draftID)) of project '\(manifest.projectID)', not the head \(head.record.versionNumber); choose another name")
        }
        return tree
    }
}

extension ProjectStore {
    /// Throws `projectFrozen` unless the project is open. Call with the mutex held.
    func requireOpenLocked() throws {
        guard try manifest().state == .open else { throw StoreError.projectFrozen(id.rawValue) }
    }

    /// Appends the `project.frozen` entry of a freeze interrupted after its
    /// manifest write (marked `recorded_at_recovery`). Call with the mutex held.
    ///
    /// - Returns: whether an entry was added.
    func auditMissingFreezeLocked(now: Date = Date()) throws -> Bool {
        let project = try manifest()
        guard project.state == .frozen, let freeze = project.freeze,
              !(try audit.entries().contains { $0.entry?.type == .projectFrozen }),
              let name = try? BundleName(freeze.bundle)
        else { return false }
        let manifestPath = layout.bundle(name) + "/" + ReleaseTree.manifestName
        let bundleManifest = try FileIO.read(manifestPath).flatMap { try? CanonicalJSON.decode(ReleaseManifest.self, from: $0, path: manifestPath) }
        let actor = EditorIdentity(user: freeze.frozenBy, session: bundleManifest?.frozenSession ?? "unknown")
        try audit.appendLocked(AuditEvent(.projectFrozen, by: actor, version: freeze.version, data: [
            "draft_id": .string(freeze.draftID), "bundle": .string(freeze.bundle),
            "manifest_sha256": (try Digest.sha256(fileAt: manifestPath)).json, "frozen_at": .string(freeze.frozenAt),
            "recorded_at_recovery": .bool(true),
        ]), now: now)
        return true
    }
}
