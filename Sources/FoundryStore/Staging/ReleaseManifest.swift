/// `MANIFEST.json` of a bundle (`bundles/<name>/`) or of a version's tarball:
/// which version of which project, every field's path, hash and size, who
/// wrote it, and — for a bundle only — who froze it, when, and the audit
/// trail's last entry at that moment.
///
/// Everything in it derives from the version's draft records, so the
/// manifest of a version (and thus its tarball) never changes.
public struct ReleaseManifest: Codable, Sendable, Equatable {
    public static let currentFormat = "foundry.bundle/1"

    public var format: String = ReleaseManifest.currentFormat
    public var projectID: String
    public var version: Int
    public var label: String
    /// SHA-256 of `drafts/<version>.json`.
    public var draftID: String
    public var parentID: String?
    public var createdAt: String
    public var authorID: String
    /// Every user who authored a version up to this one, sorted.
    public var authors: [String]
    public var fields: [String: ReleaseField]
    /// Bundle only: the project's display name at the freeze.
    public var projectName: String?
    /// Bundle only.
    public var frozenBy: String?
    public var frozenSession: String?
    public var frozenAt: String?
    /// Bundle only: `seq` and SHA-256 (line plus newline) of the last audit
    /// entry before the freeze, so a later truncation of `audit.jsonl` shows.
    public var auditSeq: Int?
    public var auditSHA256: String?
    /// Bundle only: every signature on the version (11.50: printed name,
    /// date and time, meaning), each with the file beside the manifest that
    /// holds it, signed by the server.
    public var signatures: [ManifestSignature]?
    /// Bundle only: the policy the freeze satisfied.
    public var releasePolicy: ReleasePolicy?
    /// Bundle only: the file with the server's public keys (`foundry-keys.json`).
    public var signingKeys: String?

    enum CodingKeys: String, CodingKey {
        case signatures
        case releasePolicy = "release_policy"
        case signingKeys = "signing_keys"
        case format, version, label, authors, fields
        case projectID = "project_id"
        case draftID = "draft_id"
        case parentID = "parent_id"
        case createdAt = "created_at"
        case authorID = "author_id"
        case projectName = "project_name"
        case frozenBy = "frozen_by"
        case frozenSession = "frozen_session"
        case frozenAt = "frozen_at"
        case auditSeq = "audit_seq"
        case auditSHA256 = "audit_sha256"
    }
}

/// One field in a `MANIFEST.json`.
public struct ReleaseField: Codable, Sendable, Equatable {
    /// Where the bytes are, relative to the bundle: `files/<field>`.
    public var path: String
    public var sha256: String
    public var size: Int
    public var format: FieldFormat
    public var valid: Bool
    public var problem: SyntaxProblem?
    /// The version that last changed the field, and its author.
    public var changedIn: Int
    public var changedBy: String

    enum CodingKeys: String, CodingKey {
        case path, sha256, size, format, valid, problem
        case changedIn = "changed_in"
        case changedBy = "changed_by"
    }
}

/// One signature as a bundle's `MANIFEST.json` shows it: who (printed name
/// and id), when, what it means, why, and the signature file with its hash.
public struct ManifestSignature: Codable, Sendable, Equatable {
    /// `signatures/000003.json`, relative to the bundle (and to the project).
    public var file: String
    public var sha256: String
    public var meaning: SignatureMeaning
    public var statement: String
    public var printedName: String
    public var signerID: String
    public var signedAt: String
    public var reason: String?

    init(_ stored: StoredSignature) {
        let payload = stored.record.payload
        file = AnnotationSeries.signatures.relativePath(payload.seq)
        sha256 = stored.sha256
        meaning = payload.meaning
        statement = payload.statement
        printedName = payload.printedName
        signerID = payload.signerID
        signedAt = payload.signedAt
        reason = payload.reason
    }

    enum CodingKeys: String, CodingKey {
        case file, sha256, meaning, statement, reason
        case printedName = "printed_name"
        case signerID = "signer_id"
        case signedAt = "signed_at"
    }
}
