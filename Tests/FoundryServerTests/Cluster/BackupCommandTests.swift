import Foundation
import Testing

/// `foundry backup`, the command.
@Suite("foundry backup")
struct BackupCommandTests {
    static func scratch() -> (root: String, destination: String) {
        let base = NSTemporaryDirectory() + "foundry-backup-cli-" + UUID().uuidString
        return (base + "/root", base + "/backup")
    }

    @Test("It copies a root, prints each project's version and mutex hold, verifies the copy and leaves the secret behind")
    func copies() throws {
        let (root, destination) = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        #expect(try run(foundryExecutable, ["import", fixtures + "/oncology-agent", "--project", "onco", "--user", "alice", "--root", root]).status == 0)
        #expect(try run(foundryExecutable, ["token", "--user", "alice", "--root", root]).status == 0)  // creates .foundry/jwt-secret

        let backup = try run(foundryExecutable, ["backup", destination, "--root", root])
        #expect(backup.status == 0, "\(backup.output)")
        #expect(backup.output.contains("onco: version 1, mutex held "))
        #expect(backup.output.contains("not copied: .foundry"))
        #expect(backup.output.contains("verify \(destination): OK"))
        #expect(!FileManager.default.fileExists(atPath: destination + "/.foundry"))
        #expect(try run(foundryExecutable, ["verify", "--root", destination]).status == 0)
        let again = try run(foundryExecutable, ["backup", destination, "--root", root])
        #expect(again.status == 0 && again.output.contains("0 file(s) written"), "\(again.output)")
    }

    @Test("A destination with other files is refused with exit 1 and the reason; nothing is written")
    func refusesAForeignDirectory() throws {
        let (root, destination) = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        #expect(try run(foundryExecutable, ["import", fixtures + "/oncology-agent", "--project", "onco", "--user", "alice", "--root", root]).status == 0)
        try FileManager.default.createDirectory(atPath: destination, withIntermediateDirectories: true)
        try Data("mine".utf8).write(to: URL(fileURLWithPath: destination + "/notes.txt"))
        let refused = try run(foundryExecutable, ["backup", destination, "--root", root])
        #expect(refused.status == 1)
        #expect(refused.output.contains("is not empty and holds no .foundry-backup.json"), "\(refused.output)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: destination) == ["notes.txt"])
    }

    @Test("A blob damaged at the source is damage in the copy: the backup's verify names it and exits 1")
    func damageIsNotLaundered() throws {
        let (root, destination) = Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: (root as NSString).deletingLastPathComponent) }
        #expect(try run(foundryExecutable, ["import", fixtures + "/oncology-agent", "--project", "onco", "--user", "alice", "--root", root]).status == 0)
        let objects = root + "/onco/objects/sha256"
        let prefix = try #require(try FileManager.default.contentsOfDirectory(atPath: objects).sorted().first)
        let blob = objects + "/" + prefix + "/" + (try #require(try FileManager.default.contentsOfDirectory(atPath: objects + "/" + prefix).first))
        chmod(blob, 0o644)
        try Data("not what was saved\n".utf8).write(to: URL(fileURLWithPath: blob))
        let backup = try run(foundryExecutable, ["backup", destination, "--root", root])
        #expect(backup.status == 1)
        #expect(backup.output.contains("DAMAGE: " + destination + "/onco/objects/sha256/" + prefix), "\(backup.output)")
    }
}
