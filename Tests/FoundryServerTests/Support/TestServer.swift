import Foundation
@testable import FoundryServer
import FoundryStore
@testable import FoundryWatch
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore

/// A real server on a free loopback port over a temp workspace root, and a
/// real HTTP client talking to it.
struct TestServer {
    static let secret = "test-secret-for-foundry-server-tests"
    let root: String
    let configuration: ServerConfiguration
    let authority: TokenAuthority

    init(maxBodyBytes: Int = 1 << 20, configure: (inout ServerConfiguration) -> Void = { _ in }) async throws {
        root = NSTemporaryDirectory() + "foundry-server-" + UUID().uuidString
        var configuration = ServerConfiguration(root: root, port: 0, maxBodyBytes: maxBodyBytes, lockTTL: 60, jwtSecret: Self.secret)
        // HummingbirdTesting's client keeps one connection for a whole test and
        // never reconnects, where a real client reconnects to a server that closed
        // an idle connection. The tests of the timeouts set their own.
        configuration.limits.requestHeaderTimeout = 0
        configuration.limits.keepAliveTimeout = 0
        configure(&configuration)
        self.configuration = configuration
        authority = try await TokenAuthority(secret: Self.secret)
    }

    func token(_ user: String, session: String? = nil, lifetime: TimeInterval = 600) async throws -> String {
        try await authority.issue(user: user, session: session ?? "\(user)-tab", lifetime: lifetime)
    }

    /// Runs `body` against the live server; the root stays for inspection until `cleanup()`.
    func run(watcher: WorkspaceWatcher? = nil, io: BlockingIO = BlockingIO(), logger: Logger = Logger(label: "foundry"),
             _ body: @Sendable (APIClient) async throws -> Void) async throws {
        try await ServerSlots.withSlot {
            let workspace = try Workspace(root: root, signing: configuration.notaryOptions)
            let app = try await FoundryServer.makeApplication(
                configuration: configuration, workspace: workspace, watcher: try watcher ?? WorkspaceWatcher(root: workspace.root), io: io, logger: logger
            )
            try await app.test(.live) { client in
                try await body(APIClient(client: client, server: self))
            }
        }
    }
}

extension TestServer {
    func cleanup() {
        try? FileManager.default.removeItem(atPath: root)
    }
}

/// A response with its body as bytes, text and JSON.
struct APIResponse: Sendable {
    var status: HTTPResponse.Status
    var headers: HTTPFields
    var body: Data

    var text: String { String(decoding: body, as: UTF8.self) }
    var json: [String: Any] { ((try? JSONSerialization.jsonObject(with: body)) as? [String: Any]) ?? [:] }
    var errorCode: String? { (json["error"] as? [String: Any])?["code"] as? String }
    var errorMessage: String? { (json["error"] as? [String: Any])?["message"] as? String }
}

/// Thin helpers over HummingbirdTesting's live client.
struct APIClient: Sendable {
    let client: any TestClientProtocol
    let server: TestServer

    var port: Int { client.port! }

    func request(_ method: HTTPRequest.Method, _ uri: String, token: String?, body: Data? = nil, headers: HTTPFields = [:]) async throws -> APIResponse {
        var fields = headers
        if let token { fields[.authorization] = "Bearer \(token)" }
        if body != nil { fields[.contentType] = "application/json" }
        let response = try await client.executeRequest(uri: uri, method: method, headers: fields, body: body.map { ByteBuffer(bytes: $0) })
        return APIResponse(status: response.status, headers: response.headers, body: Data(response.body.readableBytesView))
    }

    func request(_ method: HTTPRequest.Method, _ uri: String, token: String?, json: [String: Any], headers: HTTPFields = [:]) async throws -> APIResponse {
        try await request(method, uri, token: token, body: try JSONSerialization.data(withJSONObject: json), headers: headers)
    }
}

/// The repository's `fixtures/` directory.
let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("fixtures").path

/// The `foundry` executable built beside this test bundle.
var foundryExecutable: String {
    let directory = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    return directory.appendingPathComponent("foundry").path
}

/// Runs a program; returns its exit status and combined output.
func run(_ executable: String, _ arguments: [String], in directory: String? = nil) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}

/// Every file below `root` with the SHA-256 of its bytes.
/// Every file under `root` with its hash, but the audit trails and their
/// checkpoints: a refused request leaves the project unchanged, yet a
/// refused lock is audited, and the server seals its trails once a minute.
func snapshot(_ root: String) throws -> [String: String] {
    var files: [String: String] = [:]
    let enumerator = FileManager.default.enumerator(atPath: root)
    while let relative = enumerator?.nextObject() as? String {
        if relative.hasSuffix("/audit.jsonl") || relative.split(separator: "/").dropFirst().first == "checkpoints" { continue }
        let path = root + "/" + relative
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        files[relative] = isDirectory.boolValue ? "dir" : try Digest.sha256(fileAt: path)
    }
    return files
}

/// Runs blocking work (file bursts, child processes, blocking sockets) on a
/// Dispatch thread, not on Swift's cooperative pool: that pool has one
/// thread per core (two here), and blocking it stalls every other test.
func blocking<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
    }
}
