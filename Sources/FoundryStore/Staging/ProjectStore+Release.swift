import Foundation

/// The release tree and tarball of a version, and the facts a freeze adds.
extension ProjectStore {
    /// Who froze a bundle, when, and where the audit trail stood.
    struct FreezeFacts {
        var projectName: String
        var identity: EditorIdentity
        var at: String
        var auditSeq: Int?
        var auditSHA256: String?
        /// Every signature on the version, with the exact bytes of its file.
        var signatures: [(stored: StoredSignature, data: Data)] = []
        var policy: ReleasePolicy?
        /// The server's public keys (JWKS), shipped as `foundry-keys.json`.
        var keys: Data?
    }

    /// The tree of `version`: its fields under `files/`, `MANIFEST.json`
    /// (with the freeze facts for a bundle) and `SHA256SUMS`.
    func releaseTree(of version: Int, frozen: FreezeFacts? = nil) throws -> ReleaseTree {
        let draft = try draft(version)
        let record = draft.record
        var authors = Set<String>()
        var lastChange: [String: (version: Int, user: String)] = [:]
        for number in 1...version {
            let earlier = try self.draft(number).record
            authors.insert(earlier.authorID)
            for field in earlier.changed { lastChange[field] = (number, earlier.authorID) }
        }
        var contents: [String: Data] = [:]
        var fields: [String: ReleaseField] = [:]
        for (name, entry) in record.fields {
            let path = ReleaseTree.path(of: name)
            contents[path] = try blobs.get(entry.sha256)
            let change = lastChange[name] ?? (version, record.authorID)
            fields[name] = ReleaseField(
                path: path, sha256: entry.sha256, size: entry.size, format: entry.format, valid: entry.valid,
                problem: entry.problem, changedIn: change.version, changedBy: change.user
            )
        }
        var manifest = ReleaseManifest(
            projectID: id.rawValue, version: version, label: record.label, draftID: draft.id, parentID: record.parentID,
            createdAt: record.createdAt, authorID: record.authorID, authors: authors.sorted(), fields: fields,
            projectName: frozen?.projectName, frozenBy: frozen?.identity.user, frozenSession: frozen?.identity.session,
            frozenAt: frozen?.at, auditSeq: frozen?.auditSeq, auditSHA256: frozen?.auditSHA256
        )
        if let frozen, let keys = frozen.keys {
            manifest.signatures = frozen.signatures.map { ManifestSignature($0.stored) }
            manifest.releasePolicy = frozen.policy
            manifest.signingKeys = ReleaseTree.keysName
            contents[ReleaseTree.keysName] = keys
            for signature in frozen.signatures { contents[AnnotationSeries.signatures.relativePath(signature.stored.sequence)] = signature.data }
        }
        return try ReleaseTree(manifest: manifest, contents: contents)
    }

    /// The reproducible `.tar.gz` of `version`: its release tree under
    /// `<project>-<label>/`, every mtime the version's `created_at`. The same
    /// version always gives the same bytes. Invalid JSON/YAML is archived as
    /// it is (the manifest says `valid: false` and where).
    public func versionArchive(_ version: Int) throws -> (name: String, data: Data) {
        let tree = try releaseTree(of: version)
        let top = BundleName(project: id, label: tree.manifest.label).rawValue
        return (top + ".tar.gz", try tree.tarball(top: top, mtime: Self.seconds(tree.manifest.createdAt)))
    }

    /// Whole seconds of a stored timestamp (0 when it does not parse).
    static func seconds(_ timestamp: String) -> Int {
        Int((Timestamp.date(from: timestamp)?.timeIntervalSince1970 ?? 0).rounded(.down))
    }

    /// The first field of `draft` (by name) whose JSON/YAML does not parse, as the error to refuse with.
    static func invalidContent(in draft: StoredDraft) -> StoreError? {
        for (name, entry) in draft.record.fields.sorted(by: { $0.key < $1.key }) where !entry.valid {
            let problem = entry.problem ?? SyntaxProblem(line: 1, column: 1, message: "does not parse as \(entry.format.rawValue)")
            return .invalidContent(field: name, version: draft.record.versionNumber, problem: problem)
        }
        return nil
    }
}
