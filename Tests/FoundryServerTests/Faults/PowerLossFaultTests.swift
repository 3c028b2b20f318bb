import Foundation
import FoundryServer
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Power cuts simulated by a FUSE file system that drops whatever was not
/// made durable (`scripts/powerloss_fs.py`, docs/crash-safety.md). Needs
/// root, `/dev/fuse`, fuse3 and mfusepy: without them the suite is skipped
/// and the reason printed.
@Suite("Fault: power loss (what was not flushed is dropped)", .serialized)
struct PowerLossFaultTests {
    /// `true` when a power-loss mount works here; otherwise prints why not.
    static func available() -> Bool {
        guard let reason = PowerLossMount.unavailableReason else { return true }
        print("power-loss suite skipped: \(reason)")
        return false
    }

    @Test("The simulator keeps exactly what fsync made durable: POSIX model", .enabled(if: available(), "needs root, /dev/fuse, fuse3 and mfusepy"))
    func posixModel() throws {
        let mount = try PowerLossMount(model: .posix)
        defer { mount.unmount() }
        let dir = mount.path
        try write(dir + "/never-synced", "a", sync: false)
        try write(dir + "/synced-unnamed", "b", sync: true)
        try write(dir + "/kept", "old", sync: true)
        #expect(mkdir(dir + "/sub", 0o755) == 0)
        try syncDirectory(dir)  // names all four; never-synced has no durable data
        try write(dir + "/sub/inside", "d", sync: true)  // sub's own entries are never synced
        // From here on no directory is synced: no name below is durable.
        try write(dir + "/synced-unnamed-2", "c", sync: true)
        try write(dir + "/.tmp-new", "new", sync: true)
        #expect(rename(dir + "/.tmp-new", dir + "/kept") == 0)  // a replace whose rename is not made durable
        try append(dir + "/synced-unnamed", " appended")  // an append never synced
        let pending = try mount.pending()
        #expect(pending["files_with_unsynced_data"] as? Int == 2)

        let dropped = try mount.crash()
        #expect(dropped["unsynced_bytes"] as? Int == 10)
        #expect(read(dir + "/never-synced") == "")
        #expect(read(dir + "/synced-unnamed") == "b")
        #expect(read(dir + "/synced-unnamed-2") == nil)
        #expect(read(dir + "/kept") == "old")
        #expect(read(dir + "/.tmp-new") == nil)
        #expect(FileManager.default.fileExists(atPath: dir + "/sub"))
        #expect(read(dir + "/sub/inside") == nil)
        // The durable state is itself a file system that keeps working: change it and cut again.
        try write(dir + "/after", "e", sync: true)
        try syncDirectory(dir)
        #expect(unlink(dir + "/kept") == 0)
        try mount.crash()
        #expect(read(dir + "/after") == "e")
        #expect(read(dir + "/kept") == "old")  // the unlink was never made durable
    }

    @Test("The simulator's ext4 model: any fsync commits every name, not other files' data", .enabled(if: available(), "needs root, /dev/fuse, fuse3 and mfusepy"))
    func ext4Model() throws {
        let mount = try PowerLossMount(model: .ext4)
        defer { mount.unmount() }
        let dir = mount.path
        try write(dir + "/unsynced", "a", sync: false)
        #expect(mkdir(dir + "/sub", 0o755) == 0)
        try write(dir + "/sub/synced", "b", sync: true)  // commits every name so far, and its own data
        try write(dir + "/late", "c", sync: false)
        try mount.crash()
        #expect(read(dir + "/unsynced") == "")
        #expect(read(dir + "/sub/synced") == "b")
        #expect(read(dir + "/late") == nil)
    }

    @Test("Every acknowledged save, lock grant and release, comment and audit line survives a power cut byte for byte; verify exits 0 on what is left",
          .enabled(if: available(), "needs root, /dev/fuse, fuse3 and mfusepy"))
    func powerLoss() async throws {
        let seed = SeededRandom.runSeed()
        let rounds = environmentInt("FOUNDRY_POWERLOSS_ROUNDS", 8)
        let model = PowerLossMount.Model(rawValue: ProcessInfo.processInfo.environment["FOUNDRY_POWERLOSS_MODEL"] ?? "posix") ?? .posix
        let authority = try await TokenAuthority(secret: TestServer.secret)
        var tokens: [String: String] = [:]
        for user in ["alice", "bob", "carol"] { tokens[user] = try await authority.issue(user: user, session: user, lifetime: 3600) }
        let mount = try PowerLossMount(model: model)
        defer { mount.unmount() }
        let logs = mount.path + "-logs"
        print("power loss: seed \(seed) (replay with FOUNDRY_FAULT_SEED=\(seed)), \(rounds) cuts, \(model.rawValue) model, mount \(mount.path)")
        let loop = PowerLossLoop(mount: mount, seed: seed, tokens: tokens, logs: logs)
        let report = try await blocking { try loop.run(rounds: rounds) }
        print(report.summary)
        #expect(report.problems.isEmpty, "seed \(seed):\n\(report.problems.prefix(30).joined(separator: "\n"))")
        #expect(report.rounds == rounds)
        #expect(report.saves >= rounds, "the load saved too little to mean anything")
        if report.problems.isEmpty { try? FileManager.default.removeItem(atPath: logs) }
    }

    private func write(_ path: String, _ text: String, sync: Bool) throws {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        _ = text.withCString { Glibc.write(fd, $0, strlen($0)) }
        if sync { #expect(fsync(fd) == 0) }
    }

    private func append(_ path: String, _ text: String) throws {
        let fd = open(path, O_WRONLY | O_APPEND | O_CLOEXEC)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        _ = text.withCString { Glibc.write(fd, $0, strlen($0)) }
    }

    private func syncDirectory(_ path: String) throws {
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        defer { close(fd) }
        #expect(fsync(fd) == 0)
    }

    private func read(_ path: String) -> String? {
        FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) }
    }
}
