import Foundation
import Synchronization

/// `project.json` decoded once per version of the file: a `stat` per read
/// tells whether another change (or another process) replaced it since.
/// Members, state and name are read on every request (`authorize`), and a
/// project with a thousand members must not be decoded a thousand times.
final class ManifestCache: Sendable {
    private struct Cached {
        var file: FileIdentity
        var manifest: ProjectManifest
    }

    let path: String
    private let cached = Mutex<Cached?>(nil)

    init(path: String) {
        self.path = path
    }

    /// The manifest as stored; `nil` when the file does not exist.
    func read() throws -> ProjectManifest? {
        guard let file = FileIdentity(path: path) else { return nil }
        if let cached = cached.withLock({ $0 }), cached.file == file { return cached.manifest }
        guard let data = try FileIO.read(path) else { return nil }
        let manifest = try CanonicalJSON.decode(ProjectManifest.self, from: data, path: path)
        // Had the file been replaced between the `stat` and the read, the next `stat` differs and it is read again.
        cached.withLock { $0 = Cached(file: file, manifest: manifest) }
        return manifest
    }

    /// Remembers `manifest` as the content of the file just written (with the
    /// project mutex held: no other writer replaces it meanwhile), so that
    /// the next read does not decode it again.
    func remember(_ manifest: ProjectManifest) {
        guard let file = FileIdentity(path: path) else { return }
        cached.withLock { $0 = Cached(file: file, manifest: manifest) }
    }
}
