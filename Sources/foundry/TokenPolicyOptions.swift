import ArgumentParser
import Foundation
import FoundryServer

/// `--jwt-issuer` and `--jwt-audience`, shared by `serve` (what tokens must
/// carry) and `token` (what the minted token carries).
struct TokenPolicyOptions: ParsableArguments {
    @Option(help: "Required token issuer, the iss claim (env FOUNDRY_JWT_ISSUER).") var jwtIssuer: String?
    @Option(help: "Required token audience, in the aud claim (env FOUNDRY_JWT_AUDIENCE).") var jwtAudience: String?

    var policy: TokenPolicy {
        let environment = ProcessInfo.processInfo.environment
        return TokenPolicy(issuer: jwtIssuer ?? environment["FOUNDRY_JWT_ISSUER"], audience: jwtAudience ?? environment["FOUNDRY_JWT_AUDIENCE"])
    }
}
