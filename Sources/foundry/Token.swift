import ArgumentParser
import Foundation
import FoundryServer
import FoundryStore

/// `foundry token --user alice`: print a bearer token for local use, signed
/// with the same secret `foundry serve` uses on this root.
struct Token: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print a signed bearer token (HS256) for a user.")

    @Option(help: "User id (the token's sub).") var user: String
    @Option(help: "Display name shown in presence.") var name: String?
    @Option(help: "Session id (sid claim); by default each token is its own session.") var session: String?
    @Option(help: "Hours until the token expires.") var hours: Double = 12
    @Option(help: "How the user authenticated, the amr claim, comma-separated (e.g. pwd,otp).") var amr: String?
    @Option(help: "The acr claim.") var acr: String?
    @Option(help: "Seconds ago the user authenticated (auth_time); 0, the default, mints a token that may sign at once.")
    var authAge: Double = 0
    @OptionGroup var root: RootOption
    @OptionGroup var policy: TokenPolicyOptions

    func run() async throws {
        guard hours > 0, authAge >= 0 else { throw ValidationError("--hours must be positive and --auth-age not negative") }
        let workspace = try Workspace(root: root.root)
        let authority = try await TokenAuthority(secret: try TokenAuthority.secret(for: workspace), policy: policy.policy)
        let amr = Serve.list(amr)
        print(try await authority.issue(user: user, name: name, session: session, lifetime: hours * 3600,
                                        authTime: Date().addingTimeInterval(-authAge), amr: amr.isEmpty ? nil : amr, acr: acr))
    }
}
