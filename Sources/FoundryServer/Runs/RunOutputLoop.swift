import Foundation
import FoundryStore
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// The thread of one runner process: reads its stdout and stderr (`poll`,
/// never the Swift concurrency pool), appends each chunk to `console.log` as
/// one JSON line tagged with its stream (the only writer of that file, so
/// lines never interleave), `fsync`s it every 250 ms and at the end, enforces
/// the log cap, sends SIGKILL when a cancel's grace period is over, reaps
/// the process and writes the final `run.json`.
///
/// Everything here is confined to that one thread.
final class RunOutputLoop {
    struct Configuration: Sendable {
        var process: RunProcess
        var spawned: SpawnedRunner
        var store: ProjectStore
        var cap: Int
        var grace: Duration
        var logger: Logger
        /// Called last, on the thread, with the final record (or `nil`).
        var onEnd: @Sendable (RunRecord?) -> Void
    }

    private struct Stream {
        let fd: Int32
        let name: ConsoleStream
        var pending: [UInt8] = []
        var open = true
    }

    /// A partial line waits this long for its newline before it is written as is.
    private static let idleFlush = Int32(100)
    /// A line without newline is cut (at a UTF-8 boundary) once this long.
    private static let longestPending = 16 * 1024
    /// After the shell exits, its leftover children get this long to close the pipes before SIGKILL.
    private static let leftoverGrace = Duration.seconds(2)

    private let configuration: Configuration
    private var writer: ConsoleWriter?
    private var truncated = false
    private var writeFailure: String?

    init(_ configuration: Configuration) {
        self.configuration = configuration
    }

    /// Starts the thread.
    static func start(_ configuration: Configuration) {
        let thread = Thread { RunOutputLoop(configuration).run() }
        thread.name = "foundry-run-\(configuration.process.run)"
        thread.start()
    }

    private func run() {
        let process = configuration.process
        let pid = configuration.spawned.pid
        do {
            writer = try ConsoleWriter(path: configuration.store.layout.run(process.run).console)
        } catch {
            // Nowhere to write: the output is drained and discarded, and the run says so.
            truncated = true
            writeFailure = "\(error)"
        }
        var streams = [Stream(fd: configuration.spawned.stdout, name: .stdout), Stream(fd: configuration.spawned.stderr, name: .stderr)]
        var waitStatus: Int32?
        var exitedAt: ContinuousClock.Instant?
        var killedAt: ContinuousClock.Instant?
        var lastSync = ContinuousClock.now
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)

        while true {
            let openIndices = streams.indices.filter { streams[$0].open }
            if openIndices.isEmpty, waitStatus != nil { break }
            if openIndices.isEmpty {
                usleep(20_000)
            } else {
                var fds = openIndices.map { pollfd(fd: streams[$0].fd, events: Int16(POLLIN), revents: 0) }
                let ready = poll(&fds, nfds_t(fds.count), Self.idleFlush)
                if ready > 0 {
                    for (slot, index) in openIndices.enumerated() where fds[slot].revents != 0 {
                        read(&streams[index], into: &buffer)
                    }
                } else if ready == 0 {
                    for index in streams.indices { flushPending(&streams[index], all: true) }
                }
                // Past the cap the output is only drained, slowly: a flood costs little CPU.
                if truncated { usleep(20_000) }
            }
            let now = ContinuousClock.now
            if waitStatus == nil {
                var status: Int32 = 0
                let reaped = waitpid(pid, &status, WNOHANG)
                if reaped == pid || (reaped < 0 && errno == ECHILD) {
                    waitStatus = reaped == pid ? status : -1
                    exitedAt = now
                }
            }
            if let cancel = process.cancellation, killedAt == nil, now - cancel.at >= configuration.grace {
                kill(-pid, SIGKILL)
                killedAt = now
            }
            if let exitedAt, killedAt == nil, !openIndices.isEmpty, now - exitedAt >= Self.leftoverGrace {
                kill(-pid, SIGKILL)
                killedAt = now
            }
            if let killedAt, now - killedAt >= Self.leftoverGrace {
                // Something outside the group holds the pipes: stop reading them.
                for index in streams.indices where streams[index].open { close(streams[index].fd); streams[index].open = false }
            }
            if now - lastSync >= .milliseconds(250) {
                sync()
                lastSync = now
            }
        }
        for index in streams.indices { flushPending(&streams[index], all: true) }
        sync()
        writer = nil
        finish(waitStatus: waitStatus ?? -1, exitedAt: exitedAt ?? .now)
    }

    private func read(_ stream: inout Stream, into buffer: inout [UInt8]) {
        let count = buffer.withUnsafeMutableBytes { Glibc.read(stream.fd, $0.baseAddress, $0.count) }
        if count < 0, errno == EINTR || errno == EAGAIN { return }
        guard count > 0 else {
            flushPending(&stream, all: true)
            if !stream.pending.isEmpty {
                emit(stream.name, stream.pending)
                stream.pending.removeAll()
            }
            close(stream.fd)
            stream.open = false
            return
        }
        stream.pending.append(contentsOf: buffer[0..<count])
        flushPending(&stream, all: false)
    }

    /// Writes the complete lines pending on a stream (all of it, at a UTF-8
    /// boundary, when `all` or when no newline came for too long).
    private func flushPending(_ stream: inout Stream, all: Bool) {
        guard !stream.pending.isEmpty else { return }
        var cut = stream.pending.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        if all || stream.pending.count - cut >= Self.longestPending {
            cut = Self.utf8Boundary(stream.pending)
        }
        guard cut > 0 else { return }
        emit(stream.name, Array(stream.pending[0..<cut]))
        stream.pending.removeFirst(cut)
    }

    private func emit(_ name: ConsoleStream, _ bytes: [UInt8]) {
        guard !truncated, let writer else { return }
        let now = Date()
        let line = ConsoleLine(ts: Timestamp.string(from: now), stream: name, text: String(decoding: bytes, as: UTF8.self))
        do {
            if writer.size + line.encoded.count > configuration.cap {
                truncated = true
                try writer.append(ConsoleLine.truncationNotice(cap: configuration.cap, now: now))
                return
            }
            try writer.append(line)
        } catch {
            // The disk refused the bytes: the rest of the output is lost, and the run says so.
            truncated = true
            writeFailure = "\(error)"
        }
    }

    private func sync() {
        do { try writer?.sync() } catch { writeFailure = "\(error)" }
    }

    /// A run counts as cancelled when the cancel came before its shell ended.
    private func finish(waitStatus status: Int32, exitedAt: ContinuousClock.Instant) {
        let process = configuration.process
        let cancellation = process.cancellation.flatMap { $0.at <= exitedAt ? $0 : nil }
        var outcome = RunOutcome(exitStatus: nil, truncated: truncated, cancelledBy: cancellation?.by)
        if status >= 0 {
            if status & 0x7f == 0 { outcome.exitStatus = Int((status >> 8) & 0xff) } else { outcome.signal = Int(status & 0x7f) }
        }
        let record: RunRecord?
        do {
            record = try configuration.store.finishRun(process.run, outcome: outcome, by: outcome.cancelledBy ?? .server)
        } catch {
            configuration.logger.error("run could not be finished", metadata: [
                "project": "\(process.project)", "run": "\(process.run)", "error": "\(error)",
            ])
            record = nil
        }
        if let writeFailure {
            configuration.logger.error("run console write failed", metadata: ["project": "\(process.project)", "run": "\(process.run)", "error": "\(writeFailure)"])
        }
        process.end(record)
        configuration.onEnd(record)
    }

    /// The length of `bytes` without an incomplete UTF-8 sequence at its end.
    static func utf8Boundary(_ bytes: [UInt8]) -> Int {
        var index = bytes.count - 1
        var continuation = 0
        while index >= 0, continuation < 4 {
            let byte = bytes[index]
            if byte & 0xC0 == 0x80 {
                continuation += 1
                index -= 1
                continue
            }
            let needed = byte >= 0xF0 ? 4 : byte >= 0xE0 ? 3 : byte >= 0xC0 ? 2 : 1
            return bytes.count - index < needed ? index : bytes.count
        }
        return bytes.count
    }
}
