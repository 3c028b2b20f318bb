import Foundation

/// Re-derives everything a project's files claim, without trusting the
/// server: every blob is re-hashed against its name, every draft record is
/// re-hashed into its successor's `parent_id`, every field points at a blob
/// that exists, `changed` matches the parent, the manifest names the head,
/// and the audit trail is an unbroken chain with an entry for every version.
public struct Verifier: Sendable {
    public let workspace: Workspace
    /// The keys server signatures are checked with (`foundry verify --key`);
    /// `nil`: the root's `.foundry/foundry-keys.json`.
    public var trustedKeys: SigningKeySet?

    public init(workspace: Workspace, trustedKeys: SigningKeySet? = nil) {
        self.workspace = workspace
        self.trustedKeys = trustedKeys
    }

    /// Checks the given projects (default: all).
    public func verify(projects: [ProjectID]? = nil) throws -> VerificationReport {
        var report = VerificationReport()
        let keys = signingKeys(into: &report)
        for id in try projects ?? workspace.projectIDs() {
            verify(ProjectLayout(root: workspace.root, id: id), id: id, keys: keys, into: &report)
            report.projectsChecked += 1
        }
        return report
    }

    /// Writers change a project only under its mutex, and a change spans
    /// several files (record, manifest, audit line; lock file, audit line).
    /// So the files writers change are read under a shared hold of that
    /// mutex: a verify beside a running server sees the state between two
    /// changes, never half of one. Blobs are immutable and every one a
    /// record names was written before the record, so the costly re-hashing
    /// runs after the mutex is let go.
    func verify(_ layout: ProjectLayout, id: ProjectID, keys: SigningKeySet?, into report: inout VerificationReport) {
        var records: [StoredDraft] = []
        var findings = VerificationReport()
        ProjectMutex(path: layout.mutex).withSharedLock {
            records = verifyDrafts(layout, id: id, into: &findings)
            verifyManifest(layout, id: id, records: records, into: &findings)
            verifyLocks(layout, into: &findings)
            verifyAudit(layout, records: records, into: &findings)
            verifyBundles(layout, records: records, into: &findings)
            verifyAnnotations(layout, id: id, into: &findings)
            verifyRuns(layout, id: id, into: &findings)
            verifySignatures(layout, id: id, records: records, keys: keys, into: &findings)
            verifyCheckpoints(layout, id: id, keys: keys, into: &findings)
            verifyBundleSignatures(layout, keys: keys, into: &findings)
        }
        let blobHashes = verifyBlobs(layout, into: &report)
        for draft in records {
            let path = layout.draft(draft.record.versionNumber)
            for (field, entry) in draft.record.fields.sorted(by: { $0.key < $1.key }) where !blobHashes.contains(entry.sha256) {
                report.damage(path, "field \(field) needs blob \(entry.sha256), which is missing or damaged")
            }
        }
        report.findings += findings.findings
        report.versionsChecked += findings.versionsChecked
        report.bundlesChecked += findings.bundlesChecked
        report.annotationsChecked += findings.annotationsChecked
        report.runsChecked += findings.runsChecked
        report.signaturesChecked += findings.signaturesChecked
        report.checkpointsChecked += findings.checkpointsChecked
    }

    private func verifyBlobs(_ layout: ProjectLayout, into report: inout VerificationReport) -> Set<String> {
        var good = Set<String>()
        do {
            for prefix in try FileIO.list(layout.objects) where !prefix.hasPrefix(".") {
                for name in try FileIO.list(layout.objects + "/" + prefix) where name.hasPrefix(FileIO.tempPrefix) {
                    report.note(layout.objects + "/" + prefix + "/" + name, "leftover temp file from an interrupted write")
                }
            }
            for hash in try BlobStore(layout: layout).all() {
                let path = layout.blob(hash)
                report.blobsChecked += 1
                guard let actual = try Digest.sha256(fileAt: path) else { continue }
                if actual == hash { good.insert(hash) } else { report.damage(path, "content hashes to \(actual), not to its name") }
            }
        } catch {
            report.damage(layout.objects, "cannot read: \(error)")
        }
        return good
    }

    private func verifyDrafts(_ layout: ProjectLayout, id: ProjectID, into report: inout VerificationReport) -> [StoredDraft] {
        var records: [StoredDraft] = []
        let names: [String]
        do { names = try FileIO.list(layout.drafts) } catch {
            report.damage(layout.drafts, "cannot read: \(error)")
            return []
        }
        for name in names where ProjectLayout.version(ofDraftFile: name) == nil {
            if name.hasPrefix(FileIO.tempPrefix) { report.note(layout.drafts + "/" + name, "leftover temp file from an interrupted write") }
            else { report.damage(layout.drafts + "/" + name, "unexpected file in drafts/") }
        }
        let versions = names.compactMap(ProjectLayout.version(ofDraftFile:)).sorted()
        for (index, version) in versions.enumerated() {
            let path = layout.draft(version)
            guard version == index + 1 else {
                report.damage(path, "version \(index + 1) is missing before it")
                break
            }
            guard let data = try? FileIO.read(path), let record = try? JSONDecoder().decode(DraftRecord.self, from: data) else {
                report.damage(path, "not a readable draft record")
                break
            }
            report.versionsChecked += 1
            let stored = StoredDraft(id: Digest.sha256(data), record: record)
            check(stored, path: path, id: id, parent: records.last, into: &report)
            records.append(stored)
        }
        return records
    }

    private func check(_ draft: StoredDraft, path: String, id: ProjectID, parent: StoredDraft?, into report: inout VerificationReport) {
        let record = draft.record
        let version = parent.map { $0.record.versionNumber + 1 } ?? 1
        if record.versionNumber != version { report.damage(path, "says version \(record.versionNumber), file name says \(version)") }
        if record.label != DraftRecord.label(for: version) { report.damage(path, "label \(record.label) should be \(DraftRecord.label(for: version))") }
        if record.projectID != id.rawValue { report.damage(path, "belongs to project \(record.projectID)") }
        if record.parentID != parent?.id {
            report.damage(path, "parent_id \(record.parentID ?? "null") does not match the SHA-256 of the previous record (\(parent?.id ?? "null"))")
        }
        let old = parent?.record.fields ?? [:]
        let changed = Set(old.keys).union(record.fields.keys).filter { old[$0]?.sha256 != record.fields[$0]?.sha256 }.sorted()
        if changed != record.changed { report.damage(path, "lists changed fields \(record.changed), the parent comparison gives \(changed)") }
    }

    private func verifyManifest(_ layout: ProjectLayout, id: ProjectID, records: [StoredDraft], into report: inout VerificationReport) {
        guard let data = try? FileIO.read(layout.manifest), let manifest = try? JSONDecoder().decode(ProjectManifest.self, from: data) else {
            report.damage(layout.manifest, "not a readable project manifest")
            return
        }
        if manifest.id != id.rawValue { report.damage(layout.manifest, "id \(manifest.id) does not match its directory \(id)") }
        let head = records.count
        if manifest.headVersion > head {
            report.damage(layout.manifest, "head_version \(manifest.headVersion) but only \(head) intact version(s) exist")
        } else if manifest.headVersion < head {
            report.note(layout.manifest, "head_version \(manifest.headVersion) is behind the newest record \(head) (an interrupted save; the next start repairs it)")
        } else if manifest.currentDraftID != records.last?.id {
            report.damage(layout.manifest, "current_draft_id \(manifest.currentDraftID ?? "null") is not the SHA-256 of drafts/ version \(head)")
        }
    }

    private func verifyLocks(_ layout: ProjectLayout, into report: inout VerificationReport) {
        for name in (try? FileIO.list(layout.locks)) ?? [] where FieldName.fromLockFileName(name) != nil {
            let path = layout.locks + "/" + name
            guard let data = try? FileIO.read(path), let lock = try? JSONDecoder().decode(FieldLock.self, from: data) else {
                report.damage(path, "not a readable lock record")
                continue
            }
            if lock.isExpired(at: Date()) { report.note(path, "expired lock of \(lock.user); it is removed by the server's reaper") }
        }
    }
}
