import Foundation
import FoundryStore
import Hummingbird

extension FoundryAPI {
    /// `GET /health` (no token needed): 200 when the root is writable and the
    /// watcher thread is alive, 503 naming what is not. `role` says whether
    /// this server is a primary or a standby waiting for the proxy's first client;
    /// with an identity provider, `identity_provider` says how its key set stands.
    func addHealthRoutes(to router: Router<FoundryRequestContext>) {
        router.get("/health") { _, _ -> Response in
            let root = workspace.root
            let writable = try await io.run { () -> Bool in
                let probe = root + "/.tmp-health-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
                defer { unlink(probe) }
                let fd = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
                guard fd >= 0 else { return false }
                defer { close(fd) }
                return write(fd, "ok", 2) == 2 && fsync(fd) == 0
            }
            let watching = watcher.isRunning
            let healthy = writable && watching
            return try JSON.response(
                HealthResponse(
                    status: healthy ? "ok" : "degraded", role: standby?.isPrimary == false ? "standby" : "primary",
                    root: root, rootWritable: writable, watcherAlive: watching, identityProvider: await authority.providerStatus()
                ),
                status: healthy ? .ok : .serviceUnavailable
            )
        }
    }

    /// `GET /metrics` (no token needed): Prometheus text format.
    func addMetricsRoutes(to router: Router<FoundryRequestContext>) {
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(string: metrics.exposition()))
            )
        }
    }
}

/// The body of `GET /health`.
struct HealthResponse: Encodable {
    var status: String
    var role: String
    var root: String
    var rootWritable: Bool
    var watcherAlive: Bool
    /// With `--oidc-issuer`: the provider's key set (a provider that is down
    /// does not make the server unhealthy: it goes on with the last good set).
    var identityProvider: ProviderStatus?

    enum CodingKeys: String, CodingKey {
        case status, role, root
        case rootWritable = "root_writable"
        case watcherAlive = "watcher_alive"
        case identityProvider = "identity_provider"
    }
}
