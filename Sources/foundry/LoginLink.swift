import ArgumentParser
import Foundation
import FoundryServer
import FoundryStore

/// `foundry login-link --user bob`: print the web workspace's sign-in link
/// for a user, with a token signed by the secret `foundry serve` uses on this root.
struct LoginLink: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login-link", abstract: "Print a sign-in link to the web workspace for a user (a token in the link's fragment)."
    )

    @Option(help: "User id (the token's sub).") var user: String
    @Option(help: "Display name shown in presence.") var name: String?
    @Option(help: "Hours until the token expires.") var hours: Double = 12
    @Option(help: "The server's address as the browser reaches it.") var url = "http://127.0.0.1:8080"
    @OptionGroup var root: RootOption
    @OptionGroup var policy: TokenPolicyOptions

    func run() async throws {
        guard hours > 0 else { throw ValidationError("--hours must be positive") }
        guard url.hasPrefix("http://") || url.hasPrefix("https://") else { throw ValidationError("--url must start with http:// or https://") }
        let workspace = try Workspace(root: root.root)
        let authority = try await TokenAuthority(secret: try TokenAuthority.secret(for: workspace), policy: policy.policy)
        print(SignInLink.make(baseURL: url, token: try await authority.issue(user: user, name: name, lifetime: hours * 3600)))
    }
}
