import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The built `foundry serve` as a real child process on a free loopback port:
/// started (optionally through a wrapper such as `prlimit`), killed with any
/// signal, restarted on the same root. Its log goes to a file beside the root
/// so that a failing round can be read afterwards.
final class ServerProcess: Sendable {
    let root: String
    let port: Int
    let pid: Int32
    let logPath: String
    private let process: Process

    /// Starts `foundry serve --root root --port 0 …` and waits until it listens
    /// (the port is read from Hummingbird's "listening on" log line).
    ///
    /// - Parameters:
    ///   - wrapper: a command the server is exec'ed through, e.g. `["/usr/bin/prlimit", "--fsize=65536", "--"]`.
    ///   - logDirectory: where the log file goes (default: beside the root, `<root>-logs`).
    ///   - waitUntilListening: `false` returns as soon as the process runs (to kill it during startup).
    init(root: String, lockTTL: Double = 2, reapInterval: Double = 0.25, arguments: [String] = [], wrapper: [String] = [],
         logName: String = "server", logDirectory: String? = nil, waitUntilListening: Bool = true) throws {
        self.root = root
        let logDirectory = logDirectory ?? root + "-logs"
        try FileManager.default.createDirectory(atPath: logDirectory, withIntermediateDirectories: true)
        logPath = logDirectory + "/\(logName)-\(UUID().uuidString.prefix(8)).log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let serve = [foundryExecutable, "serve", "--root", root, "--host", "127.0.0.1", "--port", "0",
                     "--lock-ttl", String(lockTTL), "--reap-interval", String(reapInterval), "--log-level", "info"] + arguments
        let process = Process()
        let command = wrapper + serve
        process.executableURL = URL(fileURLWithPath: command[0])
        process.arguments = Array(command.dropFirst())
        var environment = ProcessInfo.processInfo.environment
        environment["FOUNDRY_JWT_SECRET"] = TestServer.secret
        environment["FOUNDRY_LOG_FORMAT"] = "json"
        process.environment = environment
        let log = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        try? log.close()
        self.process = process
        pid = process.processIdentifier
        port = waitUntilListening ? try Self.waitForPort(in: logPath, process: process) : 0
    }

    var isRunning: Bool { process.isRunning }

    /// Sends `signal` and waits for the process to end; returns how it ended.
    @discardableResult
    func kill(_ signal: Int32 = SIGKILL) -> (reason: Process.TerminationReason, status: Int32) {
        if process.isRunning { Glibc.kill(pid, signal) }
        process.waitUntilExit()
        return (process.terminationReason, process.terminationStatus)
    }

    /// The server's log so far (JSON lines).
    var log: String {
        (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
    }

    private static func waitForPort(in logPath: String, process: Process) throws -> Int {
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            let text = (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? ""
            if let range = text.range(of: #"listening on [0-9.]+:[0-9]+"#, options: .regularExpression),
               let port = Int(text[range].split(separator: ":").last ?? "") {
                return port
            }
            guard process.isRunning else { throw ServerProcessError.exited(status: process.terminationStatus, log: text) }
            usleep(10_000)
        }
        Glibc.kill(process.processIdentifier, SIGKILL)
        throw ServerProcessError.exited(status: -1, log: "did not listen within 60 s")
    }
}

enum ServerProcessError: Error, CustomStringConvertible {
    case exited(status: Int32, log: String)

    var description: String {
        switch self {
        case .exited(let status, let log): "foundry serve exited (\(status)) before listening:\n\(log.suffix(2000))"
        }
    }
}

/// A seeded generator (SplitMix64) so that a failing fault run can be replayed:
/// the seed comes from `FOUNDRY_FAULT_SEED` when set, and is printed.
struct SeededRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// The seed of this run: `FOUNDRY_FAULT_SEED`, or a fresh one.
    static func runSeed() -> UInt64 {
        ProcessInfo.processInfo.environment["FOUNDRY_FAULT_SEED"].flatMap { UInt64($0) } ?? UInt64.random(in: 1...UInt64(UInt32.max))
    }
}

/// An integer taken from the environment (fault-suite knobs such as rounds), or `fallback`.
func environmentInt(_ name: String, _ fallback: Int) -> Int {
    ProcessInfo.processInfo.environment[name].flatMap { Int($0) } ?? fallback
}

/// Runs `foundry verify --root root`; returns its exit status and output.
func verifyRoot(_ root: String) throws -> (status: Int32, output: String) {
    try run(foundryExecutable, ["verify", "--root", root])
}
