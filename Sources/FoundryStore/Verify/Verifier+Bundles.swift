import Foundation

extension Verifier {
    /// Checks `bundles/`: each bundle's files against its `SHA256SUMS` and
    /// `MANIFEST.json`, its version and hashes against the draft record it
    /// names, and the audit line its manifest names against its hash (a
    /// trail cut or edited after the freeze shows here). A frozen project
    /// must have the bundle its manifest names, and a `project.frozen` entry.
    ///
    /// A freeze writes the bundle, then `project.json` (frozen), then the
    /// entry: a crash leaves a complete bundle of an open project, or a
    /// frozen project without its entry.
    func verifyBundles(_ layout: ProjectLayout, records: [StoredDraft], trail: AuditTrail, hashingContent: Bool = true, into report: inout VerificationReport) {
        let names: [String]
        do { names = try FileIO.list(layout.bundles).filter { !$0.hasPrefix(FileIO.tempPrefix) } } catch {
            report.damage(layout.bundles, "cannot read: \(error)")
            return
        }
        let project = (try? FileIO.read(layout.manifest)).flatMap { $0 }.flatMap { try? JSONDecoder().decode(ProjectManifest.self, from: $0) }
        for name in names where hashingContent {
            let path = layout.bundles + "/" + name
            guard (try? BundleName(name)) != nil, FileIO.isDirectory(path) else {
                report.damage(path, "unexpected entry in bundles/")
                continue
            }
            report.bundlesChecked += 1
            let tree: ReleaseTree
            do { tree = try BundleDirectory.read(path) } catch StoreError.corrupt(let file, let reason) {
                report.damage(file, reason)
                continue
            } catch {
                report.damage(path, "cannot read: \(error)")
                continue
            }
            let manifest = tree.manifest
            guard manifest.version >= 1, manifest.version <= records.count else {
                report.damage(path, "names version \(manifest.version), which has no intact record")
                continue
            }
            let record = records[manifest.version - 1]
            if manifest.draftID != record.id { report.damage(path, "names draft id \(manifest.draftID), version \(manifest.version)'s record hashes to \(record.id)") }
            if manifest.fields.mapValues(\.sha256) != record.record.fields.mapValues(\.sha256) {
                report.damage(path, "its fields do not match version \(manifest.version)'s record")
            }
            if let seq = manifest.auditSeq, let hash = manifest.auditSHA256, trail.lineHashes[seq] != hash {
                report.damage(layout.audit, "line \(seq) does not hash to \(hash) as bundle \(name) recorded at the freeze: the trail was cut or edited")
            }
            if let project, project.state == .open || project.freeze?.bundle != name {
                report.interrupted(.bundleWithoutFreeze, path, "a complete bundle of version \(manifest.version) that the project's freeze does not name (a freeze stopped before project.json said frozen, never acknowledged)")
            }
        }
        guard let project, project.state == .frozen else { return }
        if let freeze = project.freeze {
            if !names.contains(freeze.bundle) { report.damage(layout.manifest, "frozen into bundle \(freeze.bundle), which is missing") }
        } else {
            report.note(layout.manifest, "frozen without naming its bundle")
        }
        if trail.frozenAt == nil {
            trail.interrupted(.unauditedFreeze, layout.audit, "the project is frozen without a project.frozen entry: a freeze stopped between project.json and its audit line, never acknowledged", into: &report)
        }
    }
}
