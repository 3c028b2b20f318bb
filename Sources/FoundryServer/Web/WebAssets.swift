import Foundation

/// The web workspace's static files (`Web/Static`, a SwiftPM resource of
/// this target), read once into memory by their path under `/web/`.
struct WebAssets: Sendable {
    let files: [String: WebAsset]

    /// The files shipped with the server; empty when the resource directory is missing.
    static let bundled = WebAssets(directory: Bundle.module.url(forResource: "Static", withExtension: nil))

    init(directory: URL?) {
        guard let directory, let walker = FileManager.default.enumerator(at: directory, includingPropertiesForKeys: [.isRegularFileKey]) else {
            files = [:]
            return
        }
        var files: [String: WebAsset] = [:]
        let prefix = directory.standardizedFileURL.path + "/"
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true,
                  let data = try? Data(contentsOf: url) else { continue }
            let path = String(url.standardizedFileURL.path.dropFirst(prefix.count))
            files[path] = WebAsset(data: data, pathExtension: url.pathExtension)
        }
        self.files = files
    }

    subscript(path: String) -> WebAsset? { files[path] }
}
