import ArgumentParser
import Foundation
import FoundryServer
import Hummingbird
import Logging

/// `foundry serve`: run the HTTP server on a workspace root.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the workspace server.")

    @OptionGroup var root: RootOption
    @OptionGroup var tokens: TokenPolicyOptions
    @OptionGroup(title: "Timeouts and limits (docs/limits.md)") var limits: LimitOptions
    @Option(help: "A JWKS file with RS256/ES256 public keys (each with kid and alg) accepted besides the HS256 secret.")
    var jwks: String?
    @Option(help: "An OpenID Connect issuer URL: its keys are found by discovery (/.well-known/openid-configuration → jwks_uri) and refetched on rotation.")
    var oidcIssuer: String?
    @Option(help: "Least seconds between key set fetches for unknown key ids, and between retries after a failed fetch.")
    var oidcRefetchInterval: Double = 10
    @Option(help: "Seconds a fetch from the identity provider may take.") var oidcTimeout: Double = 5
    @OptionGroup var signing: SigningKeyOption
    @Option(help: "Seconds since the user's last authentication (auth_time) within which a token may sign or freeze.")
    var signingMaxAge: Double = 300
    @Option(help: "amr values a signing needs, comma-separated (e.g. pwd,otp): all at a session's first signing, one at each later one.")
    var signingAmr: String?
    @Option(help: "acr values a signing accepts, comma-separated.") var signingAcr: String?
    @Option(help: "Seconds between checkpoints of the audit trails written to meanwhile.") var checkpointInterval: Double = 60
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8080
    @Option(help: "Largest request body in bytes; larger ones get 413.") var maxBodyBytes = 16 << 20
    @Option(help: "Seconds a field lock lives unless refreshed.") var lockTtl: Double = 300
    @Option(help: "Seconds between looks for expired locks.") var reapInterval: Double = 1
    @Option(help: "Events kept per project for ?since= resume.") var eventLogSize = 1000
    @Option(help: "Frames queued for one socket before it is disconnected as too slow.") var clientQueueLimit = 1024
    @Option(help: "Largest WebSocket message a client may send, in bytes.") var maxMessageBytes = 64 * 1024
    @Option(help: "Seconds between server pings; a socket that stops answering is closed.") var pingInterval: Double = 20
    @Option(help: "Test runner command, run with /bin/sh -c; {payload} and {run} become the run's payload and run directories.")
    var runner: String?
    @Option(help: "Seconds between SIGTERM and SIGKILL when a run is cancelled.") var runnerGrace: Double = 5
    @Option(help: "Largest console.log of a run in bytes; later output is discarded and the run marked truncated.")
    var runLogCap = 8 << 20
    @Flag(help: "Start as a standby: the root is a replica a replicator writes; nothing is changed on it until the first client request (the proxy's failover) promotes this server.")
    var standby = false
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env FOUNDRY_LOG_LEVEL).")
    var logLevel: String = ProcessInfo.processInfo.environment["FOUNDRY_LOG_LEVEL"] ?? "info"
    @Option(help: "Log format: json (one object a line) or text (env FOUNDRY_LOG_FORMAT).")
    var logFormat: String = ProcessInfo.processInfo.environment["FOUNDRY_LOG_FORMAT"] ?? "json"
    @OptionGroup var signIn: SignInOptions

    func run() async throws {
        // A write past RLIMIT_FSIZE must fail with EFBIG (answered 507 like a
        // full disk), not kill the process: SIGXFSZ's default action is to
        // terminate, and only the accident of a thread's signal mask kept it away.
        signal(SIGXFSZ, SIG_IGN)
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("unknown log level '\(logLevel)'") }
        switch logFormat {
        case "json": LoggingSystem.bootstrap { JSONLogHandler(label: $0, level: level) }
        case "text": break
        default: throw ValidationError("unknown log format '\(logFormat)': use json or text")
        }
        var logger = Logger(label: "foundry")
        logger.logLevel = level
        OpenFileLimit.raiseToHardLimit()
        guard lockTtl >= 1, reapInterval > 0, eventLogSize >= 1, clientQueueLimit >= 1, maxMessageBytes >= 1024, pingInterval >= 1 else {
            throw ValidationError("--lock-ttl and --ping-interval need ≥ 1 s, --max-message-bytes ≥ 1024, and the other limits must be positive")
        }
        var configuration = ServerConfiguration(
            root: root.root, host: host, port: port, maxBodyBytes: maxBodyBytes, lockTTL: lockTtl,
            jwtSecret: ProcessInfo.processInfo.environment["FOUNDRY_JWT_SECRET"]
        )
        configuration.reapInterval = reapInterval
        configuration.eventLogSize = eventLogSize
        configuration.clientQueueLimit = clientQueueLimit
        configuration.maxMessageBytes = maxMessageBytes
        configuration.pingInterval = pingInterval
        configuration.tokenPolicy = tokens.policy
        configuration.jwksPath = jwks
        configuration.limits = limits.limits
        guard runner.map({ !$0.trimmingCharacters(in: .whitespaces).isEmpty }) ?? true, runnerGrace >= 0, runLogCap >= 1024 else {
            throw ValidationError("--runner must not be empty, --runner-grace must be ≥ 0 and --run-log-cap ≥ 1024")
        }
        configuration.runner = runner
        configuration.runnerGrace = runnerGrace
        configuration.runLogCap = runLogCap
        configuration.standby = standby
        guard signingMaxAge >= 1, checkpointInterval >= 1, oidcRefetchInterval >= 0, oidcTimeout > 0 else {
            throw ValidationError("--signing-max-age and --checkpoint-interval need ≥ 1 s, --oidc-refetch-interval ≥ 0 and --oidc-timeout > 0")
        }
        configuration.signingKeyPath = signing.signingKey
        configuration.checkpointEvery = signing.checkpointEvery
        configuration.checkpointInterval = checkpointInterval
        configuration.signing = SigningPolicy(maxAge: signingMaxAge, requiredAMR: Self.list(signingAmr), acrValues: Self.list(signingAcr))
        configuration.provider = oidcIssuer.map { ProviderConfiguration(issuer: $0, refetchInterval: oidcRefetchInterval, timeout: oidcTimeout) }
        configuration.webFrameAncestors = try signIn.frameAncestors()
        let link = try await signIn.announcement(configuration: configuration, host: host)
        let app = try await FoundryServer.makeApplication(configuration: configuration, logger: logger) { port in
            guard let link else { return }
            print(await link(port))
            fflush(nil)  // a pipe (make serve | tee, a test) sees the link at once
        }
        try await app.runService()
    }

    /// `a,b , c` → `["a", "b", "c"]`.
    static func list(_ text: String?) -> [String] {
        (text ?? "").split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
