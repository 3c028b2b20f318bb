import Foundation
import FoundryStore

/// What a signature — and a freeze, which signs `released` — asks of the
/// caller's token: OAuth 2.0 Step-Up Authentication (RFC 9470).
///
/// Every signing needs an authentication within `maxAge` seconds
/// (`auth_time`), so a component only the signer can execute (the password,
/// a second factor) backs each one; a stale token gets 401 with
/// `WWW-Authenticate: Bearer error="insufficient_user_authentication", …,
/// max_age="…"`, and the client sends the user back to the provider (OpenID
/// Connect `max_age`/`prompt=login`). With `requiredAMR`, the first signing of
/// a session needs every listed `amr` value and each later one at least one
/// of them (21 CFR 11.200(a)(1)); the store decides which signing is first.
public struct SigningPolicy: Sendable, Equatable {
    /// Seconds since the user last authenticated within which they may sign.
    public var maxAge: TimeInterval
    /// `amr` values (RFC 8176: `pwd`, `otp`, `hwk`, `mfa`, …); empty: not checked.
    public var requiredAMR: [String]
    /// Accepted `acr` values; empty: not checked.
    public var acrValues: [String]

    public init(maxAge: TimeInterval = 300, requiredAMR: [String] = [], acrValues: [String] = []) {
        self.maxAge = maxAge
        self.requiredAMR = requiredAMR
        self.acrValues = acrValues
    }

    /// How far an `auth_time` may lie in the future (clocks differ).
    static let clockSkew: TimeInterval = 60

    /// The signer `caller` is, or the step-up challenge naming what its token lacks.
    func signer(for caller: Caller, now: Date = Date()) throws -> Signer {
        let token = caller.authentication
        guard let authTime = token.authTime else {
            throw challenge(missing: "auth_time", "the token does not say when you authenticated (auth_time); authenticate again to sign")
        }
        let age = now.timeIntervalSince(authTime)
        guard age <= maxAge, age >= -Self.clockSkew else {
            throw challenge(missing: "fresh_authentication",
                            "you authenticated \(Int(age.rounded())) s ago; signing needs an authentication within the last \(Int(maxAge)) s",
                            authTime: authTime)
        }
        if !acrValues.isEmpty, !acrValues.contains(token.acr ?? "") {
            throw challenge(missing: "acr", "signing needs an authentication of class \(acrValues.joined(separator: " or ")); the token's acr is \(token.acr ?? "absent")", authTime: authTime)
        }
        return Signer(identity: caller.editor, printedName: caller.name, authentication: SignerAuthentication(
            method: "step_up", issuer: token.issuer, authTime: Timestamp.string(from: authTime), amr: token.amr, acr: token.acr,
            maxAge: Int(maxAge), requiredAMR: requiredAMR
        ))
    }

    private func challenge(missing: String, _ message: String, authTime: Date? = nil) -> APIError {
        var details = ["missing": missing, "max_age": String(Int(maxAge))]
        if let authTime { details["auth_time"] = Timestamp.string(from: authTime) }
        if !acrValues.isEmpty { details["acr_values"] = acrValues.joined(separator: " ") }
        return StepUpChallenge.error(message, details: details, maxAge: Int(maxAge), acrValues: acrValues)
    }
}

/// The RFC 9470 answer to a token that authenticated too long ago or too weakly.
enum StepUpChallenge {
    static let code = "INSUFFICIENT_USER_AUTHENTICATION"

    /// 401 with `WWW-Authenticate: Bearer error="insufficient_user_authentication", error_description="…"[, max_age="…"][, acr_values="…"]`.
    static func error(_ message: String, details: [String: String], maxAge: Int? = nil, acrValues: [String] = []) -> APIError {
        let description = message.filter { $0 != "\"" && $0 != "\\" && $0.isASCII && !$0.isNewline }
        var header = "Bearer error=\"insufficient_user_authentication\", error_description=\"\(description)\""
        if let maxAge { header += ", max_age=\"\(maxAge)\"" }
        if !acrValues.isEmpty { header += ", acr_values=\"\(acrValues.joined(separator: " "))\"" }
        var error = APIError(.unauthorized, code: code, message: message, details: details)
        error.challenge = header
        return error
    }
}
