import Foundation
@testable import FoundryStore

/// A fresh directory under the system temp dir, removed by `cleanup()`.
struct TemporaryDirectory {
    let path: String

    init() throws {
        path = NSTemporaryDirectory() + "foundry-store-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }

    func cleanup() {
        try? FileManager.default.removeItem(atPath: path)
    }
}

let alice = EditorIdentity(user: "alice", session: "alice-tab-1")
let bob = EditorIdentity(user: "bob", session: "bob-tab-1")

func field(_ name: String) -> FieldName { try! FieldName(name) }

extension EditorIdentity {
    /// This identity signing with a token that authenticated just now (`pwd`).
    var signer: Signer {
        Signer(identity: self, authentication: SignerAuthentication(method: "step_up", authTime: Timestamp.string(from: Date()), amr: ["pwd"], maxAge: 300))
    }
}

/// A workspace in a temp dir, with a server key (created under the root), with one project `onco` at version 1.
func makeProject(_ fields: [String: String] = ["system_prompt": "line 1\nline 2\n", "model_config.json": "{\"temperature\": 0.2}\n"],
                 signing: NotaryOptions = NotaryOptions()) throws -> (TemporaryDirectory, Workspace, ProjectStore) {
    let directory = try TemporaryDirectory()
    let workspace = try Workspace(root: directory.path, signing: signing)
    let store = try workspace.createProject(
        NewProject(name: "Oncology Agent", id: try ProjectID("onco"), fields: Dictionary(uniqueKeysWithValues: fields.map { (field($0.key), $0.value) })),
        by: alice
    )
    return (directory, workspace, store)
}

/// Saves `text` into `name` as `identity`, taking and releasing the lock.
@discardableResult
func lockAndSave(_ store: ProjectStore, _ name: String, _ text: String?, as identity: EditorIdentity, base: Int? = nil) throws -> SaveResult {
    try store.locks.acquire(field(name), for: identity, ttl: 60)
    return try store.save(SaveRequest(baseVersion: try base ?? store.headVersion(), fields: [field(name): text]), by: identity)
}

/// Every file below `root` with the SHA-256 of its bytes: a snapshot to prove nothing changed.
func snapshot(_ root: String) throws -> [String: String] {
    var files: [String: String] = [:]
    let enumerator = FileManager.default.enumerator(atPath: root)
    while let relative = enumerator?.nextObject() as? String {
        let path = root + "/" + relative
        var isDirectory: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        files[relative] = isDirectory.boolValue ? "dir" : try Digest.sha256(fileAt: path)
    }
    return files
}

/// Runs a program and returns its exit status and standard output.
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
