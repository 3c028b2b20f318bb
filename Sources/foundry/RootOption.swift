import ArgumentParser

/// `--root`, shared by every subcommand: the workspace root directory.
struct RootOption: ParsableArguments {
    @Option(name: .long, help: "The workspace root directory.")
    var root: String = "./workspaces"
}
