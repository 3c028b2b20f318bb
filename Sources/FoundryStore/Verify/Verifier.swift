import Foundation

/// Re-derives everything a project's files claim, without trusting the
/// server: every blob is re-hashed against its name, every draft record is
/// re-hashed into its successor's `parent_id`, every field points at a blob
/// that exists, `changed` matches the parent, the manifest names the head,
/// and the audit trail is an unbroken chain that records every version,
/// annotation, lock and run.
///
/// A crash can stop a change between its files (a record written, its audit
/// line not yet). Such a state is a note naming the interrupted change and
/// what the next start does with it (`CrashState`); only what a crash cannot
/// produce — an edited, removed or reordered line or record — is damage.
public struct Verifier: Sendable {
    public let workspace: Workspace
    /// The keys server signatures are checked with (`foundry verify --key`);
    /// `nil`: the root's `.foundry/foundry-keys.json`.
    public var trustedKeys: SigningKeySet?

    public init(workspace: Workspace, trustedKeys: SigningKeySet? = nil) {
        self.workspace = workspace
        self.trustedKeys = trustedKeys
    }

    /// Checks the given projects (default: all, and the workspace root's leftovers).
    public func verify(projects: [ProjectID]? = nil) throws -> VerificationReport {
        var report = VerificationReport()
        let keys = signingKeys(into: &report)
        if projects == nil { verifyRootLeftovers(into: &report) }
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
    /// changes, never half of one. Blobs are immutable, so only their names
    /// are listed under the mutex; the costly re-hashing runs after it is let go.
    func verify(_ layout: ProjectLayout, id: ProjectID, keys: SigningKeySet?, into report: inout VerificationReport) {
        var checked: (findings: VerificationReport, records: [StoredDraft], blobs: [String]) = (VerificationReport(), [], [])
        ProjectMutex(path: layout.mutex).withSharedLock { checked = check(layout, id: id, keys: keys) }
        let (findings, records, blobs) = checked
        let good = hashBlobs(layout, blobs, into: &report)
        var named = Set<String>()
        for draft in records {
            let path = layout.draft(draft.record.versionNumber)
            for (field, entry) in draft.record.fields.sorted(by: { $0.key < $1.key }) {
                named.insert(entry.sha256)
                if !good.contains(entry.sha256) { report.damage(path, "field \(field) needs blob \(entry.sha256), which is missing or damaged") }
            }
        }
        for hash in good.subtracting(named).sorted() {
            report.interrupted(.orphanBlob, layout.blob(hash), "no version names this blob (a save stopped between its blobs and its record, never acknowledged)")
        }
        report.findings += findings.findings
        report.versionsChecked += findings.versionsChecked
        report.bundlesChecked += findings.bundlesChecked
        report.annotationsChecked += findings.annotationsChecked
        report.runsChecked += findings.runsChecked
        report.signaturesChecked += findings.signaturesChecked
        report.checkpointsChecked += findings.checkpointsChecked
    }

    /// Every check of the files writers change, in one pass; call with the
    /// project mutex held (shared by `verify`, exclusive by the startup
    /// recovery, which repairs the interrupted changes this names).
    ///
    /// - Parameter hashingContent: `false` skips re-hashing bundle files, run
    ///   payloads and sealed consoles (large, written once, and never a crash
    ///   state): the startup recovery needs only the crash states.
    /// - Returns: the findings, the intact records, and the names of the blobs on disk (not yet hashed).
    func check(_ layout: ProjectLayout, id: ProjectID, keys: SigningKeySet?, hashingContent: Bool = true) -> (findings: VerificationReport, records: [StoredDraft], blobs: [String]) {
        var findings = VerificationReport()
        let records = verifyDrafts(layout, id: id, into: &findings)
        let trail = AuditTrail(layout, into: &findings)
        verifyManifest(layout, id: id, records: records, into: &findings)
        verifyVersionTrail(layout, records: records, trail: trail, into: &findings)
        verifyMembers(layout, trail: trail, into: &findings)
        verifyLocks(layout, trail: trail, into: &findings)
        verifyBundles(layout, records: records, trail: trail, hashingContent: hashingContent, into: &findings)
        verifyAnnotations(layout, id: id, trail: trail, into: &findings)
        verifyRuns(layout, id: id, trail: trail, hashingContent: hashingContent, into: &findings)
        verifySignatures(layout, id: id, records: records, keys: keys, trail: trail, into: &findings)
        verifyCheckpoints(layout, id: id, keys: keys, into: &findings)
        if hashingContent { verifyBundleSignatures(layout, keys: keys, into: &findings) }
        verifyLeftovers(layout, into: &findings)
        return (findings, records, listBlobs(layout, into: &findings))
    }

    private func listBlobs(_ layout: ProjectLayout, into report: inout VerificationReport) -> [String] {
        do {
            return try BlobStore(layout: layout).all()
        } catch {
            report.damage(layout.objects, "cannot read: \(error)")
            return []
        }
    }

    /// The blobs of `hashes` whose content hashes to their name; the others are damage.
    private func hashBlobs(_ layout: ProjectLayout, _ hashes: [String], into report: inout VerificationReport) -> Set<String> {
        var good = Set<String>()
        for hash in hashes {
            let path = layout.blob(hash)
            report.blobsChecked += 1
            do {
                guard let actual = try Digest.sha256(fileAt: path) else { continue }
                if actual == hash { good.insert(hash) } else { report.damage(path, "content hashes to \(actual), not to its name") }
            } catch {
                report.damage(path, "cannot read: \(error)")
            }
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
        for name in names where ProjectLayout.version(ofDraftFile: name) == nil && !name.hasPrefix(FileIO.tempPrefix) {
            report.damage(layout.drafts + "/" + name, "unexpected file in drafts/")
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
            checkRecord(stored, path: path, id: id, parent: records.last, into: &report)
            records.append(stored)
        }
        return records
    }

    private func checkRecord(_ draft: StoredDraft, path: String, id: ProjectID, parent: StoredDraft?, into report: inout VerificationReport) {
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

    /// The manifest is replaced after each new record without a directory
    /// `fsync` (a lost rename leaves the older, still correct manifest), so
    /// after a crash its head may name any earlier record — never a later one,
    /// and always with that record's id.
    private func verifyManifest(_ layout: ProjectLayout, id: ProjectID, records: [StoredDraft], into report: inout VerificationReport) {
        guard let data = try? FileIO.read(layout.manifest), let manifest = try? JSONDecoder().decode(ProjectManifest.self, from: data) else {
            report.damage(layout.manifest, "not a readable project manifest")
            return
        }
        if manifest.id != id.rawValue { report.damage(layout.manifest, "id \(manifest.id) does not match its directory \(id)") }
        let head = manifest.headVersion
        if head > records.count {
            report.damage(layout.manifest, "head_version \(head) but only \(records.count) intact version(s) exist")
            return
        }
        let expected = head == 0 ? nil : records[head - 1].id
        if manifest.currentDraftID != expected {
            report.damage(layout.manifest, "current_draft_id \(manifest.currentDraftID ?? "null") is not the SHA-256 of version \(head)'s record (\(expected ?? "null"))")
        }
        if head < records.count {
            report.interrupted(.manifestBehind, layout.manifest, "head_version \(head) is behind the newest record \(records.count) (its rename after a new version was not made durable, or not made)")
        }
    }
}
