import Foundation
import FoundryServer
import Testing

/// A server under a mixed write load is killed with SIGKILL at random
/// moments, restarted on the same root and checked, round after round.
@Suite("Fault: kill -9 under a mixed write load", .serialized)
struct KillLoopFaultTests {
    @Test("Every acknowledged save, revert, undo, redo, comment and run output line survives SIGKILL byte for byte; verify on the crashed files exits 0 and the restart does what its notes say; stale locks expire")
    func killLoop() async throws {
        let seed = SeededRandom.runSeed()
        let rounds = environmentInt("FOUNDRY_FAULT_ROUNDS", 50)
        let root = NSTemporaryDirectory() + "foundry-fault-kill-" + UUID().uuidString
        let authority = try await TokenAuthority(secret: TestServer.secret)
        var tokens: [String: String] = [:]
        for user in ["alice", "bob", "carol"] { tokens[user] = try await authority.issue(user: user, session: user, lifetime: 3600) }
        print("kill loop: seed \(seed) (replay with FOUNDRY_FAULT_SEED=\(seed)), \(rounds) rounds, root \(root)")
        let loop = KillLoop(root: root, seed: seed, tokens: tokens)
        let report = try await blocking { try loop.run(rounds: rounds) }
        print(report.summary)
        #expect(report.problems.isEmpty, "seed \(seed):\n\(report.problems.prefix(30).joined(separator: "\n"))")
        #expect(report.rounds == rounds)
        #expect(report.savesAcknowledged > rounds, "the load saved too little to mean anything")
        if report.problems.isEmpty {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: root + "-logs")
        }
    }
}
