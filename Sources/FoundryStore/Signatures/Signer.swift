import Foundation

/// Who signs, under which name, and how they proved it just now.
public struct Signer: Sendable, Equatable {
    public var identity: EditorIdentity
    /// The name printed with the signature (11.50(a)(1)).
    public var printedName: String
    public var authentication: SignerAuthentication

    public init(identity: EditorIdentity, printedName: String? = nil, authentication: SignerAuthentication) {
        self.identity = identity
        let name = printedName?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
        self.printedName = name.isEmpty ? identity.user : name
        self.authentication = authentication
    }
}

/// How a signer authenticated, as the signature records it (21 CFR 11.200).
///
/// The identification code is the user id; the other components are what
/// the identity provider reports in `amr` for the authentication at
/// `auth_time`. When the server requires components (`requiredAMR`), the
/// first signing of a session needs all of them in `amr` and each later
/// signing in the session at least one (11.200(a)(1)(i)); every signing
/// needs an authentication within the signing window (`maxAge`), so a
/// component executed by the individual backs each one.
public struct SignerAuthentication: Codable, Sendable, Equatable {
    /// `step_up`: a bearer token authenticated within the signing window
    /// (RFC 9470); `operator`: the `foundry` CLI acting on the files, with
    /// no authentication of the named user by the server.
    public var method: String
    public var issuer: String?
    public var authTime: String?
    public var amr: [String]
    public var acr: String?
    /// The signing window the server enforced, in seconds.
    public var maxAge: Int?
    /// The `amr` values the server requires (empty: not checked).
    public var requiredAMR: [String]
    /// The signer's first signing in this session (set by the store).
    public var firstInSession: Bool

    public init(method: String, issuer: String? = nil, authTime: String? = nil, amr: [String] = [], acr: String? = nil,
                maxAge: Int? = nil, requiredAMR: [String] = []) {
        self.method = method
        self.issuer = issuer
        self.authTime = authTime
        self.amr = amr
        self.acr = acr
        self.maxAge = maxAge
        self.requiredAMR = requiredAMR
        firstInSession = true
    }

    /// The operator's CLI: the named user did not authenticate to the server.
    public static let `operator` = SignerAuthentication(method: "operator")

    enum CodingKeys: String, CodingKey {
        case method, issuer, amr, acr
        case authTime = "auth_time"
        case maxAge = "max_age"
        case requiredAMR = "required_amr"
        case firstInSession = "first_in_session"
    }

    /// Refuses when `amr` lacks the required components: all of them at the
    /// first signing of a session, one of them at a later one.
    func checkComponents() throws {
        guard !requiredAMR.isEmpty else { return }
        let present = Set(amr)
        let missing = requiredAMR.filter { !present.contains($0) }
        let enough = firstInSession ? missing.isEmpty : missing.count < requiredAMR.count
        guard enough else {
            throw StoreError.authenticationComponentsMissing(missing: firstInSession ? missing : requiredAMR, present: amr, firstInSession: firstInSession)
        }
    }
}

/// `POST /projects/{id}/signatures`: sign `version` with `meaning`, optionally saying why.
public struct SignatureRequest: Sendable, Equatable {
    public var version: Int
    public var meaning: SignatureMeaning
    public var reason: String?

    public init(version: Int, meaning: SignatureMeaning, reason: String? = nil) {
        self.version = version
        self.meaning = meaning
        self.reason = reason
    }
}
