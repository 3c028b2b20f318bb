import ArgumentParser
import Foundation
import FoundryStore

/// `foundry export <project>`: a version as the run payload (JSON on
/// stdout) or as its reproducible tarball, read from the files directly.
struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print a version's run payload as JSON, or write its reproducible .tar.gz."
    )

    @Argument(help: "The project id.") var project: String
    @Option(help: "A version number, or 'current' (the head).") var version: String = "current"
    @Option(help: "Write the version's .tar.gz to this file instead of printing the JSON payload.") var archive: String?
    @Flag(help: "Print the JSON payload (the default).") var json = false
    @OptionGroup var root: RootOption

    func validate() throws {
        if json, archive != nil { throw ValidationError("use either --archive <file> or --json") }
    }

    func run() async throws {
        let store = try Workspace(root: root.root).project(try ProjectID(project))
        let number: Int
        if version == "current" || version == "head" {
            number = try store.headVersion()
            guard number > 0 else { throw StoreError.versionNotFound(project: project, version: 0) }
        } else {
            guard let value = Int(version), value >= 1 else { throw ValidationError("--version takes a number from 1, or 'current'") }
            number = value
        }
        if let archive {
            let tarball = try store.versionArchive(number)
            try tarball.data.write(to: URL(fileURLWithPath: archive), options: .atomic)
            print("wrote \(archive) (\(tarball.data.count) bytes, sha256 \(Digest.sha256(tarball.data)))")
        } else {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            FileHandle.standardOutput.write(try encoder.encode(try store.exportPayload(number)) + Data("\n".utf8))
        }
    }
}
