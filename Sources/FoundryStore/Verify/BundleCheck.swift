import Foundation

/// What a signed bundle must hold, checked with nothing but the bundle and
/// the server's public keys (so an auditor can check a copy offline):
///
/// - `SEAL.json` is the server's signature of this bundle's `SHA256SUMS`
///   and `MANIFEST.json` (so no file, the manifest included, was edited and
///   the checksums recomputed), for this project, version and draft;
/// - each signature file the manifest lists is signed by the server, signs
///   this project, version and draft and these field hashes, and says what
///   the manifest says of it (printed name, time, meaning, reason);
/// - a `released` signature is there, and enough `approved` ones for the
///   release policy the manifest records (four eyes: by non-authors).
///
/// `BundleDirectory.read` has checked `SHA256SUMS` and the field files before.
struct BundleCheck {
    let tree: ReleaseTree
    let keys: SigningKeySet?

    struct Finding: Equatable {
        /// Relative to the bundle.
        var file: String
        var message: String
    }

    func findings() -> [Finding] {
        var found = sealFindings()
        var approvers = Set<String>()
        var released = false
        let manifest = tree.manifest
        for entry in manifest.signatures ?? [] {
            guard let data = tree.files[entry.file], let record = try? JSONDecoder().decode(SignatureRecord.self, from: data) else {
                found.append(Finding(file: entry.file, message: "not a readable signature record"))
                continue
            }
            let problems = Verifier.serverSignatureProblems(data, as: SignatureRecord.self, keys: keys)
                + payloadProblems(record.payload, entry: entry)
            found += problems.map { Finding(file: entry.file, message: $0) }
            guard problems.isEmpty else { continue }
            if record.payload.meaning == .released { released = true }
            if record.payload.meaning == .approved, !(manifest.releasePolicy?.fourEyes == true && manifest.authors.contains(record.payload.signerID)) {
                approvers.insert(record.payload.signerID)
            }
        }
        if !released { found.append(Finding(file: ReleaseTree.manifestName, message: "lists no valid 'released' signature")) }
        if let policy = manifest.releasePolicy, approvers.count < policy.approvalsRequired {
            found.append(Finding(file: ReleaseTree.manifestName, message: "its release policy needs \(policy.approvalsRequired) approval(s) and the bundle holds \(approvers.count) valid one(s)"))
        }
        return found
    }

    private func sealFindings() -> [Finding] {
        let file = ReleaseTree.sealName
        guard let data = tree.files[file], let seal = try? JSONDecoder().decode(BundleSeal.self, from: data) else {
            return [Finding(file: file, message: "missing or not readable: the bundle is not sealed")]
        }
        var found = Verifier.serverSignatureProblems(data, as: BundleSeal.self, keys: keys).map { Finding(file: file, message: $0) }
        let payload = seal.payload, manifest = tree.manifest
        if payload.checksumsSHA256 != Digest.sha256(tree.files[ReleaseTree.checksumsName] ?? Data()) {
            found.append(Finding(file: ReleaseTree.checksumsName, message: "is not the SHA256SUMS the server sealed: the bundle was changed after the freeze"))
        }
        if payload.manifestSHA256 != Digest.sha256(tree.files[ReleaseTree.manifestName] ?? Data()) {
            found.append(Finding(file: ReleaseTree.manifestName, message: "is not the MANIFEST.json the server sealed: it was edited after the freeze"))
        }
        if payload.projectID != manifest.projectID || payload.version != manifest.version || payload.draftID != manifest.draftID {
            found.append(Finding(file: file, message: "seals version \(payload.version) (draft \(payload.draftID)) of project \(payload.projectID), not this bundle's"))
        }
        return found
    }

    private func payloadProblems(_ payload: SignaturePayload, entry: ManifestSignature) -> [String] {
        let manifest = tree.manifest
        var problems: [String] = []
        if payload.projectID != manifest.projectID || payload.version != manifest.version || payload.draftID != manifest.draftID {
            problems.append("signs version \(payload.version) (draft \(payload.draftID)) of project \(payload.projectID), not this bundle's version \(manifest.version) (draft \(manifest.draftID)) of \(manifest.projectID)")
        } else if payload.fields != manifest.fields.mapValues(\.sha256) {
            problems.append("lists field hashes that are not the bundle's")
        }
        if entry.meaning != payload.meaning || entry.printedName != payload.printedName || entry.signerID != payload.signerID
            || entry.signedAt != payload.signedAt || entry.reason != payload.reason || entry.statement != payload.statement {
            problems.append("\(ReleaseTree.manifestName) shows it otherwise than the signed record (signer, printed name, time, meaning or reason)")
        }
        return problems
    }
}

extension Verifier {
    /// `foundry verify --bundle DIR [--key FILE]`: a copied bundle checked on
    /// its own — no root, no server. Without `keys` the bundle's own
    /// `foundry-keys.json` is used, which shows the bundle is intact but not
    /// that the server made it (a note says so).
    public static func verifyBundle(at path: String, keys: SigningKeySet?) -> VerificationReport {
        var report = VerificationReport()
        let tree: ReleaseTree
        do { tree = try BundleDirectory.read(path) } catch StoreError.corrupt(let file, let reason) {
            report.damage(file, reason)
            return report
        } catch {
            report.damage(path, "cannot read: \(error)")
            return report
        }
        report.bundlesChecked = 1
        guard let keysFile = tree.manifest.signingKeys else {
            report.note(path, "this bundle carries no signatures (frozen before electronic signatures); only SHA256SUMS was checked")
            return report
        }
        var trusted = keys
        if trusted == nil {
            trusted = tree.files[keysFile].flatMap(SigningKeySet.init(parsing:))
            report.note(path + "/" + keysFile, "checked with the bundle's own keys: this shows the bundle is intact, not who made it; pass --key with the server's published key")
        }
        guard let trusted else {
            report.damage(path + "/" + keysFile, "holds no Ed25519 public key: the bundle's signatures cannot be checked")
            return report
        }
        report.signaturesChecked = tree.manifest.signatures?.count ?? 0
        for finding in BundleCheck(tree: tree, keys: trusted).findings() {
            report.damage(path + "/" + finding.file, finding.message)
        }
        return report
    }
}
