import Foundation

extension ProjectStore {
    /// The bundle tree a freeze writes for `head`: its release tree with the
    /// freeze facts (who, when, where the audit trail stands), every signature
    /// on the version byte for byte, the release policy, the server's public
    /// keys, and the seal over it all. Call with the mutex held, after the
    /// `released` signature was written.
    func signedReleaseTree(of head: StoredDraft, bundle: BundleName, projectName: String, policy: ReleasePolicy,
                           by identity: EditorIdentity, notary: Notary, now: Date) throws -> ReleaseTree {
        let auditHead = try audit.entries().last { $0.complete }
        let signatures = try signatureRecords(on: head.record.versionNumber).filter { $0.record.payload.draftID == head.id }
        let facts = FreezeFacts(
            projectName: projectName, identity: identity, at: Timestamp.string(from: now),
            auditSeq: auditHead?.entry?.seq, auditSHA256: auditHead.map { Digest.sha256($0.bytes + Data("\n".utf8)) },
            signatures: try signatures.map { ($0, try FileIO.read(layout.annotation(.signatures, $0.sequence)) ?? Data()) },
            policy: policy, keys: notary.keys.jwks
        )
        return try releaseTree(of: head.record.versionNumber, frozen: facts).sealed(bundle: bundle, key: notary.key, at: facts.at)
    }
}
