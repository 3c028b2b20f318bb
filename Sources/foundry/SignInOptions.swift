import ArgumentParser
import Foundation
import FoundryServer
import FoundryStore

/// The web workspace's options of `foundry serve`: the sign-in link it
/// prints once it listens, and who may embed the page in a frame.
struct SignInOptions: ParsableArguments {
    @Option(help: "User of the sign-in link printed at start (default: your login name).")
    var loginUser: String?
    @Flag(help: "Print no sign-in link at start.")
    var noLoginLink = false
    @Option(name: .customLong("web-frame-ancestor"), help: "An origin allowed to embed the web workspace in a frame, e.g. https://ide.example.com (repeatable; none by default).")
    var webFrameAncestors: [String] = []

    func frameAncestors() throws -> [String] {
        for source in webFrameAncestors where !SignInLink.isFrameAncestor(source) {
            throw ValidationError("--web-frame-ancestor '\(source)' is not 'self' or an http(s) origin like https://ide.example.com")
        }
        return webFrameAncestors
    }

    /// The line to print once the server listens on a port, or `nil` with `--no-login-link`.
    /// The token is signed with the server's own secret and lives 12 hours.
    func announcement(configuration: ServerConfiguration, host: String) async throws -> (@Sendable (Int) async -> String)? {
        guard !noLoginLink else { return nil }
        let user = loginUser ?? Self.loginName
        let secret = try configuration.jwtSecret ?? TokenAuthority.secret(for: try Workspace(root: configuration.root))
        let authority = try await TokenAuthority(secret: secret, policy: configuration.tokenPolicy)
        let token = try await authority.issue(user: user)
        return { port in
            let link = SignInLink.make(baseURL: SignInLink.baseURL(host: host, port: port), token: token)
            return "Open the web workspace as \(user): \(link)\n(`foundry login-link --user <name>` prints a link for anyone else)"
        }
    }

    /// The user running the server: `$USER`, else the password database's name.
    static var loginName: String {
        if let user = ProcessInfo.processInfo.environment["USER"], !user.isEmpty { return user }
        if let entry = getpwuid(getuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "developer"
    }
}
