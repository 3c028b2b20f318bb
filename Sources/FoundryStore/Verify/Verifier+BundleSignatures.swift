import Foundation

extension Verifier {
    /// The keys to check server signatures with: the ones given, else the
    /// root's `foundry-keys.json` (a file that does not parse is damage).
    func signingKeys(into report: inout VerificationReport) -> SigningKeySet? {
        if let trustedKeys { return trustedKeys }
        let files = KeyFiles(root: workspace.root)
        do { return try files.trustedKeys() } catch {
            report.damage(files.publicKeys, "\(error)")
            return nil
        }
    }

    /// Checks the signatures inside each signed bundle (`BundleCheck`) and
    /// that each signature file it carries is the project's own, byte for byte.
    func verifyBundleSignatures(_ layout: ProjectLayout, keys: SigningKeySet?, into report: inout VerificationReport) {
        for name in (try? FileIO.list(layout.bundles)) ?? [] where !name.hasPrefix(".") {
            let path = layout.bundles + "/" + name
            guard let tree = try? BundleDirectory.read(path), tree.manifest.signingKeys != nil else { continue }
            for finding in BundleCheck(tree: tree, keys: keys).findings() {
                report.damage(path + "/" + finding.file, finding.message)
            }
            for signature in tree.manifest.signatures ?? [] {
                let own = try? FileIO.read(layout.directory + "/" + signature.file)
                if own != tree.files[signature.file] {
                    report.damage(path + "/" + signature.file, "differs from the project's \(signature.file)")
                }
            }
        }
    }
}
