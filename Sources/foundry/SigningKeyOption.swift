import ArgumentParser
import Foundation
import FoundryStore

/// `--signing-key` and `--checkpoint-every`, shared by the commands that
/// write (`serve`, `import`, `freeze`): the server key that signs signatures,
/// audit checkpoints and bundle seals. Several nodes of one deployment (a
/// standby, shards a project may move between) share one key, as they share
/// the HS256 secret: `FOUNDRY_SIGNING_KEY` names it for every command.
struct SigningKeyOption: ParsableArguments {
    @Option(help: "The server's Ed25519 signing key, PKCS#8 PEM, mode 0600 (e.g. on another mount; env FOUNDRY_SIGNING_KEY); default <root>/.foundry/signing-key, created on first use.")
    var signingKey: String? = ProcessInfo.processInfo.environment["FOUNDRY_SIGNING_KEY"].flatMap { $0.isEmpty ? nil : $0 }
    @Option(help: "Write a signed checkpoint of a project's audit trail every this many entries.")
    var checkpointEvery = 100

    var options: NotaryOptions {
        NotaryOptions(keyPath: signingKey, checkpointEvery: checkpointEvery)
    }

    func validate() throws {
        guard checkpointEvery >= 1 else { throw ValidationError("--checkpoint-every must be at least 1") }
    }
}
