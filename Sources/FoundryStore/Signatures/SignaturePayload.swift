/// An electronic signature of one version: `signatures/<n>.json`, written
/// once, signed by the server key (see `Signed`).
///
/// It names the exact bytes it covers (the version's record file, whose
/// SHA-256 is the draft id, and each field's SHA-256), the project and the
/// version, so it cannot be moved to another record: copied into another
/// project or onto another version, its payload no longer matches, and
/// edited, its server signature no longer verifies. Signatures form a hash
/// chain of their own (`prev`), and each has an audit entry naming its
/// file and SHA-256 (11.70).
public struct SignaturePayload: Codable, Sendable, Equatable {
    public static let currentFormat = "foundry.signature/1"

    public var format: String = SignaturePayload.currentFormat
    public var seq: Int
    public var projectID: String
    public var version: Int
    public var label: String
    /// SHA-256 of `record`.
    public var draftID: String
    /// The version's record file, relative to the project: `drafts/000005.json`.
    public var record: String
    /// Each field of the version and the SHA-256 of its bytes.
    public var fields: [String: String]
    public var meaning: SignatureMeaning
    /// `meaning` as a sentence.
    public var statement: String
    public var reason: String?
    public var signerID: String
    /// The signer's printed name (11.50(a)(1)): the token's `name` claim, else the user id.
    public var printedName: String
    public var signerRole: ProjectRole
    public var signedAt: String
    public var session: String
    public var authentication: SignerAuthentication
    /// SHA-256 of the previous signature file (64 zeros for the first).
    public var prev: String

    enum CodingKeys: String, CodingKey {
        case format, seq, version, label, record, fields, meaning, statement, reason, session, authentication, prev
        case projectID = "project_id"
        case draftID = "draft_id"
        case signerID = "signer_id"
        case printedName = "printed_name"
        case signerRole = "signer_role"
        case signedAt = "signed_at"
    }
}

/// A signature file: its payload and the server's signature of it.
public typealias SignatureRecord = Signed<SignaturePayload>

/// A signature as read from its file, with the SHA-256 of the file's bytes.
public typealias StoredSignature = StoredAnnotation<SignatureRecord>

extension Signed: AnnotationRecord where Payload == SignaturePayload {
    public static var series: AnnotationSeries { .signatures }
    public static var idKey: String { "signature_id" }
    public var sequence: Int { payload.seq }
    public var projectID: String { payload.projectID }
    public var annotationID: String { "s-\(payload.seq)" }
    public var startsAnnotation: Bool { true }
    public var author: EditorIdentity { EditorIdentity(user: payload.signerID, session: payload.session) }

    public var auditFacts: (type: AuditEventType, version: Int?, data: [String: JSONValue]) {
        (.signatureAdded, payload.version, [
            "meaning": .string(payload.meaning.rawValue), "draft_id": .string(payload.draftID),
            "printed_name": .string(payload.printedName), "reason": payload.reason.json, "signed_at": .string(payload.signedAt),
            "auth_time": payload.authentication.authTime.json, "amr": .array(payload.authentication.amr.map(JSONValue.string)),
        ])
    }
}
