import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// `scripts/powerloss_fs.py` mounted on a temp directory: a FUSE file system
/// that keeps every write and every name pending until the `fsync` that
/// makes it durable, and on `crash()` throws away what is not durable yet
/// and mounts the durable state again — a power cut without the machine.
///
/// Needs root, `/dev/fuse`, `fusermount3` (Debian's fuse3) and PyPI's
/// `mfusepy` for `python3`; `unavailableReason` says which is missing.
final class PowerLossMount: Sendable {
    /// The durability model: `posix` (only fsync of a file or directory makes
    /// its data or its names durable) or `ext4` (any fsync also commits every
    /// name change, as ext4's journal does). See the script's docstring.
    enum Model: String, Sendable { case posix, ext4 }

    let path: String
    let model: Model
    /// The script's standard error (libfuse's and Python's complaints).
    let logPath: String
    private let process: Process
    private let input: FileHandle
    private let lines = Shared<[String]>([])
    private let arrived = DispatchSemaphore(value: 0)

    /// The script beside the sources: `<repo>/scripts/powerloss_fs.py`.
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("scripts/powerloss_fs.py").path

    init(model: Model = .posix) throws {
        self.model = model
        path = NSTemporaryDirectory() + "foundry-powerloss-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Self.script, path, "--model", model.rawValue]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        logPath = path + ".log"
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        process.standardError = FileHandle(forWritingAtPath: logPath)
        try process.run()
        self.process = process
        input = stdin.fileHandleForWriting
        let lines = lines
        let arrived = arrived
        let reader = stdout.fileHandleForReading
        Thread.detachNewThread {
            var pending = Data()
            while true {
                let chunk = reader.availableData
                if chunk.isEmpty { break }
                pending += chunk
                while let newline = pending.firstIndex(of: 10) {
                    let line = String(decoding: pending[pending.startIndex..<newline], as: UTF8.self)
                    pending = Data(pending[(newline + 1)...])
                    lines.withLock { $0.append(line) }
                    arrived.signal()
                }
            }
            lines.withLock { $0.append("exited") }
            arrived.signal()
        }
        let first = try next()
        guard first == "mounted 1" else {
            process.terminate()
            throw MountFailure.notMounted(first)
        }
    }

    /// The power goes: returns what was thrown away (the script's `dropped` report) once the durable state is mounted again.
    /// Every process using the mount must be gone (a busy mount cannot be unmounted).
    @discardableResult
    func crash() throws -> [String: Any] {
        try send("crash")
        let dropped = try next()
        guard dropped.hasPrefix("dropped ") else { throw MountFailure.unexpected("crash", dropped) }
        let mounted = try next()
        guard mounted.hasPrefix("mounted ") else { throw MountFailure.unexpected("crash", mounted) }
        return (try? JSONSerialization.jsonObject(with: Data(dropped.dropFirst(8).utf8)) as? [String: Any]) ?? [:]
    }

    /// What a crash would throw away now.
    func pending() throws -> [String: Any] {
        try send("pending")
        let line = try next()
        guard line.hasPrefix("pending ") else { throw MountFailure.unexpected("pending", line) }
        return (try? JSONSerialization.jsonObject(with: Data(line.dropFirst(8).utf8)) as? [String: Any]) ?? [:]
    }

    /// Unmounts, stops the script and removes the mount point. A script that
    /// has not exited 30 s after `quit` is killed and its mount detached, so a
    /// failing test never hangs here.
    func unmount() {
        try? send("quit")
        try? input.close()
        let deadline = Date().addingTimeInterval(30)
        while process.isRunning, Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        _ = try? run("/usr/bin/env", ["fusermount3", "-u", "-z", path])
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.removeItem(atPath: logPath)
    }

    private func send(_ command: String) throws {
        try input.write(contentsOf: Data((command + "\n").utf8))
    }

    /// The script's next line. It answers every command; the long deadline only turns a hung script into a failure.
    private func next() throws -> String {
        guard arrived.wait(timeout: .now() + 120) == .success else { throw MountFailure.noAnswer }
        return lines.withLock { $0.removeFirst() }
    }

    enum MountFailure: Error, CustomStringConvertible {
        case notMounted(String)
        case unexpected(String, String)
        case noAnswer

        var description: String {
            switch self {
            case .notMounted(let line): "powerloss_fs.py did not mount (\(line))"
            case .unexpected(let command, let line): "powerloss_fs.py answered \(command) with: \(line)"
            case .noAnswer: "powerloss_fs.py did not answer within 120 s"
            }
        }
    }

    /// Why a power-loss mount cannot run here, or `nil` when it can (probed once: a real mount and a crash).
    static let unavailableReason: String? = {
        guard getuid() == 0 else { return "not root (mounting a FUSE file system needs it)" }
        guard access("/dev/fuse", R_OK | W_OK) == 0 else { return "/dev/fuse is missing or not usable" }
        guard (try? run("/usr/bin/env", ["fusermount3", "--version"]))?.status == 0 else { return "fusermount3 is missing (Debian package fuse3; `make deps` installs it)" }
        guard (try? run("/usr/bin/env", ["python3", "-c", "import mfusepy"]))?.status == 0 else {
            return "python3 cannot import mfusepy (PyPI; `make deps` installs it)"
        }
        do {
            let probe = try PowerLossMount()
            defer { probe.unmount() }
            try probe.crash()
        } catch {
            return "a probe mount failed: \(error)"
        }
        return nil
    }()
}
