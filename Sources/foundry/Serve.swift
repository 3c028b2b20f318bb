import ArgumentParser
import Foundation
import FoundryServer
import Hummingbird
import Logging

/// `foundry serve`: run the HTTP server on a workspace root.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the workspace server.")

    @OptionGroup var root: RootOption
    @Option(help: "Address to listen on.") var host = "127.0.0.1"
    @Option(help: "Port to listen on (0 picks a free one).") var port = 8080
    @Option(help: "Largest request body in bytes; larger ones get 413.") var maxBodyBytes = 16 << 20
    @Option(help: "Seconds a field lock lives unless refreshed.") var lockTtl: Double = 300
    @Option(help: "Log level: trace, debug, info, notice, warning, error, critical (env FOUNDRY_LOG_LEVEL).")
    var logLevel: String = ProcessInfo.processInfo.environment["FOUNDRY_LOG_LEVEL"] ?? "info"

    func run() async throws {
        guard let level = Logger.Level(rawValue: logLevel) else { throw ValidationError("unknown log level '\(logLevel)'") }
        var logger = Logger(label: "foundry")
        logger.logLevel = level
        let configuration = ServerConfiguration(
            root: root.root, host: host, port: port, maxBodyBytes: maxBodyBytes, lockTTL: lockTtl,
            jwtSecret: ProcessInfo.processInfo.environment["FOUNDRY_JWT_SECRET"]
        )
        let app = try await FoundryServer.makeApplication(configuration: configuration, logger: logger)
        try await app.runService()
    }
}
