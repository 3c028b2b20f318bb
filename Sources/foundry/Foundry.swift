import ArgumentParser

/// `foundry`: run the workspace server and work with a workspace root offline.
@main
struct Foundry: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "foundry",
        abstract: "The coreason-foundry collaborative workspace server.",
        subcommands: [Serve.self, Import.self, Verify.self, Token.self, LoginLink.self, Audit.self, Freeze.self, Export.self, Backup.self]
    )
}
