import Foundation
import FoundryStore
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// A started runner shell, held at its gate: its pid (also its process
/// group id), the read ends of its stdout and stderr, and our end of the gate.
struct SpawnedRunner: Sendable {
    let pid: pid_t
    let stdout: Int32
    let stderr: Int32
    let gate: Int32

    /// Lets the command run.
    func open() {
        var go = UInt8(ascii: "\n")
        _ = send(gate, &go, 1, Int32(MSG_NOSIGNAL))
        close(gate)
    }

    /// Ends a runner that must not run (its run could not be published) and reaps it.
    func abandon() {
        close(gate)
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0, errno == EINTR {}
        close(stdout)
        close(stderr)
    }
}

/// Starts runner shells with `posix_spawn`: in a process group of their own
/// (so a cancel reaches the shell's children), stdin from `/dev/null`,
/// stdout and stderr to pipes, the gate on descriptor 3 and no other
/// descriptor of the server, default signal dispositions and an empty
/// signal mask. glibc's `posix_spawn` reports an `exec` failure as its
/// result, so a shell that cannot start is an error here, not an exit status.
enum RunnerSpawner {
    /// Held from creating a runner's pipes until its spawn returned: `pipe2`
    /// is out of Swift's reach, so the pipes are made close-on-exec in a
    /// second step, and another runner spawned in between would inherit them
    /// (and keep this run's pipes open for as long as it lives).
    private static let spawning = Mutex(())

    static func spawn(shell: String, command: String, environment: [String]) throws -> SpawnedRunner {
        try spawning.withLock { _ in try spawnLocked(shell: shell, command: command, environment: environment) }
    }

    private static func spawnLocked(shell: String, command: String, environment: [String]) throws -> SpawnedRunner {
        var out: [Int32] = [-1, -1]
        var err: [Int32] = [-1, -1]
        var gate: [Int32] = [-1, -1]
        guard closeOnExecPipe(&out) else { throw failure("pipe", errno) }
        guard closeOnExecPipe(&err) else {
            let code = errno
            (out).forEach { close($0) }
            throw failure("pipe", code)
        }
        guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &gate) == 0 else {
            let code = errno
            (out + err).forEach { close($0) }
            throw failure("socketpair", code)
        }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, out[1], 1)
        posix_spawn_file_actions_adddup2(&actions, err[1], 2)
        posix_spawn_file_actions_adddup2(&actions, gate[1], 3)
        // Nothing else: a descriptor some library opened without
        // close-on-exec would otherwise live as long as the runner (a file
        // unlinked meanwhile keeping its blocks, a socket its peer).
        posix_spawn_file_actions_addclosefrom(&actions, 4)

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setpgroup(&attributes, 0)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let arguments = [shell, "-c", RunnerCommand.gate, shell, command]
        let argv = arguments.map { strdup($0) } + [nil]
        let envp = environment.map { strdup($0) } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, shell, &actions, &attributes, argv, envp)
        [out[1], err[1], gate[1]].forEach { close($0) }
        guard result == 0 else {
            [out[0], err[0], gate[0]].forEach { close($0) }
            throw StoreError.runnerFailedToStart(reason: "cannot execute \(shell): \(String(cString: strerror(result)))")
        }
        return SpawnedRunner(pid: pid, stdout: out[0], stderr: err[0], gate: gate[0])
    }

    /// `pipe` with both ends close-on-exec (`pipe2` is not visible to Swift's Glibc module).
    private static func closeOnExecPipe(_ ends: inout [Int32]) -> Bool {
        guard pipe(&ends) == 0 else { return false }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        return true
    }

    private static func failure(_ call: String, _ code: Int32) -> StoreError {
        .runnerFailedToStart(reason: "\(call) failed: \(String(cString: strerror(code)))")
    }
}

/// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later; Debian 12
/// has 2.36): the child closes every descriptor from `lowest` on. Swift's Glibc
/// module does not declare it, so it is named here (a pointer and an int → int:
/// the same registers in the Swift and C conventions on Linux).
@_silgen_name("posix_spawn_file_actions_addclosefrom_np")
@discardableResult
private func posix_spawn_file_actions_addclosefrom(_ actions: UnsafeMutablePointer<posix_spawn_file_actions_t>, _ lowest: Int32) -> Int32
