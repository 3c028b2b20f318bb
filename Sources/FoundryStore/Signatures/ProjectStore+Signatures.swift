import Foundation

extension ProjectStore {
    /// The longest reason a signature may give, in UTF-8 bytes.
    public static let maximumReasonBytes = 1024

    /// Signs `request.version` for `signer`: writes `signatures/<n>.json`
    /// (signed by the server key) and its `signature.added` audit entry,
    /// both durable on return; the watcher announces `SIGNATURE_ADDED`.
    ///
    /// Refused with nothing written: `released` (a freeze signs it), a
    /// frozen project, a role that may not sign with this meaning, a version
    /// that does not exist, a reason that is blank or too long, or an
    /// authentication without the components this signing needs.
    @discardableResult
    public func sign(_ request: SignatureRequest, by signer: Signer, now: Date = Date()) throws -> StoredSignature {
        guard request.meaning != .released else { throw StoreError.releasedBySigning }
        if let reason = request.reason { try Self.checkText(reason, what: "the reason", limit: Self.maximumReasonBytes) }
        return try mutex.change(auditedIn: audit) {
            try requireOpenLocked()
            return try signLocked(request, by: signer, now: now)
        }
    }

    /// Writes a signature after checking the signer's role and
    /// authentication. Call with the mutex held.
    func signLocked(_ request: SignatureRequest, by signer: Signer, now: Date) throws -> StoredSignature {
        guard let notary else { throw StoreError.signingUnavailable }
        let user = signer.identity.user
        let role = try manifest().members[user]
        guard let role, request.meaning.permits(role) else {
            throw StoreError.forbidden(user: user, action: "sign_" + request.meaning.rawValue, project: id.rawValue, role: role?.rawValue)
        }
        let draft = try draft(try requireVersion(request.version))
        var authentication = signer.authentication
        authentication.firstInSession = !(try signatures.all()).contains {
            $0.record.payload.signerID == user && $0.record.payload.session == signer.identity.session
        }
        try authentication.checkComponents()
        return try writeAnnotationLocked(signatures, now: now) { seq in
            try SignatureRecord(signing: SignaturePayload(
                seq: seq, projectID: id.rawValue, version: draft.record.versionNumber, label: draft.record.label, draftID: draft.id,
                record: "drafts/" + (layout.draft(draft.record.versionNumber) as NSString).lastPathComponent,
                fields: draft.record.fields.mapValues(\.sha256), meaning: request.meaning, statement: request.meaning.statement,
                reason: request.reason, signerID: user, printedName: signer.printedName, signerRole: role,
                signedAt: Timestamp.string(from: now), session: signer.identity.session, authentication: authentication,
                prev: try signatures.record(seq - 1)?.sha256 ?? AuditEntry.genesis
            ), with: notary.key)
        }
    }

    /// Every signature of the project, oldest first; with `version`, only those on it.
    public func signatureRecords(on version: Int? = nil) throws -> [StoredSignature] {
        let all = try signatures.all()
        guard let version else { return all }
        return all.filter { $0.record.payload.version == version }
    }
}

extension StoreError {
    /// `released` asked of `sign`: only a freeze signs it.
    public static let releasedBySigning = StoreError.invalidArgument(
        "'released' is signed by freezing the project (POST /projects/{id}/freeze or foundry freeze), which records it"
    )
}
