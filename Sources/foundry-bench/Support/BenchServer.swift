import Foundation
import FoundryServer
import FoundryStore

/// A scratch workspace root, the projects a benchmark puts in it, and
/// `foundry serve` over it on a free loopback port. `stop()` ends the server
/// and removes the root.
final class BenchServer {
    static let secret = "foundry-bench-secret-0123456789abcdef"
    static let owner = EditorIdentity(user: "bench", session: "bench")

    let options: ServerOptions
    let root: String
    let workspace: Workspace
    let authority: TokenAuthority
    private(set) var port = 0
    private(set) var process: ServerProcess?

    init(_ options: ServerOptions, name: String) async throws {
        self.options = options
        root = try options.scratchDirectory(name)
        workspace = try Workspace(root: root + "/workspaces")
        authority = try await TokenAuthority(secret: Self.secret)
        OpenFileLimit.raiseToHardLimit()
    }

    /// A project owned by `bench`, with `fields` as version 1 and `members` besides.
    @discardableResult
    func createProject(_ id: String, fields: [String: String] = ["system_prompt": "x\n"], members: [String: ProjectRole] = [:]) throws -> ProjectStore {
        let named = try Dictionary(uniqueKeysWithValues: fields.map { (try FieldName($0.key), $0.value) })
        return try workspace.createProject(NewProject(name: id, id: try ProjectID(id), fields: named, members: members), by: Self.owner)
    }

    /// The per-client limits (docs/limits.md) a benchmark's crowd, all from one
    /// address and a few users, would run into: off, so that each benchmark
    /// measures the server rather than the limiter (`abuse` measures the limits).
    static let perClientLimitsOff = [
        "--max-connections-per-address", "0", "--max-sockets-per-user", "0", "--max-sockets-per-session", "0",
        "--max-requests-per-user", "0", "--rate-limit", "0",
    ]

    /// Starts the server (with extra `foundry serve` arguments, after `perClientLimitsOff`
    /// unless `limitsOff` is false); pins this process away from its CPU when asked.
    func start(arguments: [String] = [], limitsOff: Bool = true) throws {
        port = try ServerProcess.freePort()
        process = try ServerProcess(executable: options.executable, root: workspace.root, port: port, secret: Self.secret,
                                    cpu: options.serverCpu, arguments: (limitsOff ? Self.perClientLimitsOff : []) + arguments, log: root + "/server.log")
        if let cpu = options.serverCpu { Self.pinSelf(awayFrom: cpu) }
    }

    func token(_ user: String = "bench", session: String? = nil) async throws -> String {
        try await authority.issue(user: user, session: session ?? user, lifetime: 24 * 3600)
    }

    func socketURL(user: String, session: String, project: String) async throws -> String {
        "ws://127.0.0.1:\(port)/ws/project/\(project)?token=\(try await token(user, session: session))&session=\(session)"
    }

    func stop() {
        process?.stop()
        try? FileManager.default.removeItem(atPath: root)
    }

    /// Restricts this process to every CPU but `cpu`.
    private static func pinSelf(awayFrom cpu: Int) {
        let others = (0..<ProcessInfo.processInfo.activeProcessorCount).filter { $0 != cpu }.map(String.init).joined(separator: ",")
        guard !others.isEmpty else { return }
        _ = try? ChildProcess.run(["taskset", "-a", "-p", "-c", others, String(getpid())])
    }
}
