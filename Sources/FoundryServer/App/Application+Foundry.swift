import Foundation
import FoundryStore
import FoundryWatch
import Hummingbird
import HummingbirdCore
import Logging

/// Builds the whole server for a configuration.
public enum FoundryServer {
    /// Opens the workspace (repairing what a crash left), loads the token
    /// secret, and returns the application ready to run: HTTP routes,
    /// WebSocket upgrades on the same port, and the realtime service
    /// (watcher → hubs, lock reaper). `onServerRunning` gets the port the
    /// server listens on once it accepts connections.
    public static func makeApplication(
        configuration: ServerConfiguration, logger: Logger = Logger(label: "foundry"), onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws -> some ApplicationProtocol {
        let workspace = try Workspace(root: configuration.root, signing: configuration.notaryOptions)
        return try await makeApplication(
            configuration: configuration, workspace: workspace, watcher: WorkspaceWatcher(root: workspace.root), logger: logger, onServerRunning: onServerRunning
        )
    }

    /// The same, with the watcher and the I/O pool supplied (tests hold them
    /// to force an overflow, or to see requests wait at a project's gate).
    package static func makeApplication(
        configuration: ServerConfiguration, workspace: Workspace, watcher: WorkspaceWatcher, io: BlockingIO = BlockingIO(),
        logger: Logger = Logger(label: "foundry"), onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) async throws -> some ApplicationProtocol {
        logger.notice("durability: \(GroupCommit.forFileSystem(of: workspace.root).ordering) (docs/durability.md)")
        let standby = configuration.standby ? try Standby(workspace: workspace, io: io, logger: logger, secret: configuration.jwtSecret) : nil
        if standby?.isPrimary ?? true {
            for repair in try workspace.recover() { logger.notice("recovery: \(repair)") }
            for repair in try workspace.recoverRuns() { logger.notice("recovery: \(repair)") }
        } else {
            logger.notice("standby: the root is a replica; nothing is changed on it until a client's request promotes this server")
        }
        let secret = try configuration.jwtSecret ?? TokenAuthority.secret(for: workspace)
        // The watcher's reads and hub loads get threads of their own: on `io`
        // they would queue behind saves and lock requests waiting for a busy
        // project's flock or a disk flush, and every project's events with them.
        let reads = BlockingIO(threads: 4)
        let jwks = try configuration.jwksPath.map { path in
            guard let data = FileManager.default.contents(atPath: path) else { throw APIError.internal("cannot read the JWKS file \(path)") }
            return String(decoding: data, as: UTF8.self)
        }
        let authority = try await TokenAuthority(secret: secret, jwks: jwks, provider: configuration.provider, policy: configuration.tokenPolicy)
        let metrics = FoundryMetrics()
        let limits = try ClientLimits(configuration.limits, descriptorLimit: OpenFileLimit.current, metrics: metrics, logger: logger)
        let api = FoundryAPI(
            workspace: workspace, io: io, authority: authority, configuration: configuration, metrics: metrics, limits: limits,
            watcher: watcher, logger: logger, standby: standby
        )
        let registry = HubRegistry(workspace: workspace, io: reads, configuration: configuration)
        let router = Router(context: FoundryRequestContext.self)
        api.register(on: router)
        let realtime = RealtimeService(
            watcher: watcher, registry: registry, workspace: workspace, io: io, reads: reads,
            reapInterval: .milliseconds(Int(configuration.reapInterval * 1000)), lockTTL: configuration.lockTTL, metrics: metrics, logger: logger, standby: standby
        )
        let gateway = WebSocketGateway(api: api, registry: registry)
        return Application(
            router: router,
            server: HTTPServerBuilder { responder in FoundryChildChannel(responder: responder, gateway: gateway) },
            configuration: .init(
                address: .hostname(configuration.host, port: configuration.port), serverName: "coreason-foundry",
                // Past the hard ceiling the server stops accepting: no `accept` ever meets EMFILE (docs/limits.md).
                availableConnectionsDelegate: MaximumAvailableConnections(limits.connections.ceiling.hard, logger: logger)
            ),
            services: [realtime, RunService(supervisor: api.runs), CheckpointService(workspace: workspace, io: io, interval: configuration.checkpointInterval, logger: logger),
                       ProviderWarmUp(authority: authority)],
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger
        )
    }
}
