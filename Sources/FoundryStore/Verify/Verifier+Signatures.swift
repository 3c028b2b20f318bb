import Foundation

extension Verifier {
    /// Checks `signatures/`: records numbered 1, 2, 3 … without a gap, each
    /// signed by a trusted server key over exactly what it holds, chained to
    /// the one before (`prev`), of this project (a record copied from another
    /// project names that one), bound to a version whose record still hashes
    /// to its `draft_id` and whose fields hash as it lists (a record copied
    /// onto another version names the other one), and named (file and
    /// SHA-256) by a `signature.added` audit entry; and no signature the
    /// audit trail names is missing (excised).
    ///
    /// A record is written before its entry, so a crash leaves only the
    /// newest signatures without one (a note; the next start records them);
    /// an unrecorded signature below a recorded one, or one that is itself
    /// damaged, is damage.
    func verifySignatures(_ layout: ProjectLayout, id: ProjectID, records: [StoredDraft], keys: SigningKeySet?, trail: AuditTrail, into report: inout VerificationReport) {
        guard let numbers = recordNumbers(in: layout.signatures, of: "signatures", into: &report) else { return }
        let audited = auditedSignatures(layout)
        let newestRecorded = numbers.last { audited[AnnotationSeries.signatures.relativePath($0)] != nil } ?? 0
        var previous = AuditEntry.genesis
        for (index, sequence) in numbers.enumerated() {
            let path = layout.annotation(.signatures, sequence)
            guard sequence == index + 1 else {
                report.damage(path, "signature \(index + 1) is missing before it")
                return
            }
            guard let data = try? FileIO.read(path), let record = try? JSONDecoder().decode(SignatureRecord.self, from: data) else {
                report.damage(path, "not a readable signature record")
                return
            }
            report.signaturesChecked += 1
            let payload = record.payload
            let problems = Self.serverSignatureProblems(data, as: SignatureRecord.self, keys: keys)
                + Self.bindingProblems(payload, sequence: sequence, project: id.rawValue, previous: previous, records: records)
            for problem in problems { report.damage(path, problem) }
            let hash = Digest.sha256(data)
            let file = AnnotationSeries.signatures.relativePath(sequence)
            if let named = audited[file] {
                if named != hash { report.damage(path, "its audit entry names another SHA-256 than the file's \(hash)") }
            } else if sequence < newestRecorded || !problems.isEmpty {
                report.damage(path, "has no signature.added entry in audit.jsonl (written behind the server's back, or the entry was removed)")
            } else {
                trail.interrupted(.unauditedAnnotation, path, "\(file) (\(payload.meaning.rawValue) of version \(payload.version) by \(payload.signerID)) has no signature.added entry yet: a change stopped between its record and its audit line, never acknowledged", into: &report)
            }
            previous = hash
        }
        for file in audited.keys.sorted() where !FileIO.exists(layout.directory + "/" + file) {
            report.damage(layout.directory + "/" + file, "is named by a signature.added entry of audit.jsonl but missing: the signature was removed")
        }
        if keys == nil { Self.missingKeysNote(numbers.count, of: "signature(s)", in: layout.signatures, into: &report) }
    }

    /// What is wrong with a signature record's claims about where it belongs.
    static func bindingProblems(_ payload: SignaturePayload, sequence: Int, project: String, previous: String, records: [StoredDraft]) -> [String] {
        var problems: [String] = []
        if payload.seq != sequence { problems.append("says it is signature \(payload.seq), its file name says \(sequence)") }
        if payload.projectID != project { problems.append("is a signature of project \(payload.projectID), not of \(project): copied from another project") }
        if payload.prev != previous { problems.append("prev \(payload.prev) is not the SHA-256 of the signature before it (\(previous))") }
        guard payload.version >= 1, payload.version <= records.count else {
            problems.append("signs version \(payload.version), which has no intact record")
            return problems
        }
        let draft = records[payload.version - 1]
        if payload.draftID != draft.id || payload.record != "drafts/" + (ProjectLayout(directory: "").draft(payload.version) as NSString).lastPathComponent {
            problems.append("signs draft \(payload.draftID) as version \(payload.version), whose record hashes to \(draft.id): copied onto another version, or the version was rewritten")
        } else if payload.fields != draft.record.fields.mapValues(\.sha256) {
            problems.append("lists field hashes that are not those of version \(payload.version)")
        }
        return problems
    }

    /// What is wrong with the server's signature of the file `data`; nothing
    /// when there are no trusted keys to check it with (`missingKeysNote` says so once).
    static func serverSignatureProblems<Payload>(_ data: Data, as type: Signed<Payload>.Type, keys: SigningKeySet?) -> [String] {
        guard let keys else { return [] }
        switch type.check(data, keys: keys) {
        case .valid: return []
        case .invalid: return ["the server's signature does not verify: the file was edited after it was signed"]
        case .unknownKey(let kid): return ["is signed by key \(kid), which is not among the trusted keys"]
        }
    }

    /// The note for signed files left unchecked for want of a trusted key.
    static func missingKeysNote(_ count: Int, of kind: String, in directory: String, into report: inout VerificationReport) {
        guard count > 0 else { return }
        report.note(directory, "the server's signatures of \(count) \(kind) were not checked: no trusted public key (pass --key with the published keys, or restore .foundry/foundry-keys.json)")
    }

    /// `file` → `sha256` of every `signature.added` entry of the audit trail.
    private func auditedSignatures(_ layout: ProjectLayout) -> [String: String] {
        var files: [String: String] = [:]
        for line in (try? AuditLog(path: layout.audit).entries()) ?? [] {
            guard let entry = line.entry, entry.type == .signatureAdded, let file = entry.data["file"]?.string, let hash = entry.data["sha256"]?.string else { continue }
            files[file] = hash
        }
        return files
    }
}
