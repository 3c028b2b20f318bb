import FoundryStore
import Hummingbird
import Logging

/// Builds the whole server for a configuration.
public enum FoundryServer {
    /// Opens the workspace (repairing what a crash left), loads the token
    /// secret, and returns the application ready to run.
    public static func makeApplication(configuration: ServerConfiguration, logger: Logger = Logger(label: "foundry")) async throws -> some ApplicationProtocol {
        let workspace = try Workspace(root: configuration.root)
        for repair in try workspace.recover() { logger.notice("recovery: \(repair)") }
        let secret = try configuration.jwtSecret ?? TokenAuthority.secret(for: workspace)
        let api = FoundryAPI(workspace: workspace, io: BlockingIO(), authority: try await TokenAuthority(secret: secret), configuration: configuration)
        let router = Router(context: FoundryRequestContext.self)
        api.register(on: router)
        return Application(
            router: router,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "coreason-foundry"),
            logger: logger
        )
    }
}
