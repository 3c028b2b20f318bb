import Foundation
import FoundryArchive
import FoundryStore
import Hummingbird

/// One file of the web workspace, ready to serve: its bytes (and, for text
/// worth compressing, the same gzipped), its content type and a strong
/// `ETag` per representation.
struct WebAsset: Sendable {
    let body: ByteBuffer
    let gzipped: ByteBuffer?
    let contentType: String
    let etag: String

    /// Text smaller than this is sent as it is: gzip would not pay for its header.
    static let gzipThreshold = 1024

    init(data: Data, pathExtension: String) {
        body = ByteBuffer(bytes: data)
        contentType = Self.contentType(forExtension: pathExtension)
        etag = "\"\(Digest.sha256(data).prefix(32))\""
        let compressible = contentType.hasPrefix("text/") || contentType.hasPrefix("application/javascript") || contentType.hasPrefix("image/svg")
        if compressible, data.count >= Self.gzipThreshold, let compressed = try? Gzip.compress(data), compressed.count < data.count {
            gzipped = ByteBuffer(bytes: compressed)
        } else {
            gzipped = nil
        }
    }

    /// The type Hummingbird's table gives the extension, with UTF-8 named for text.
    static func contentType(forExtension pathExtension: String) -> String {
        switch pathExtension {
        case "js", "mjs": return "application/javascript; charset=utf-8"
        case "": return "text/plain; charset=utf-8"  // LICENSE, VERSION
        default:
            guard let type = MediaType.getMediaType(forExtension: pathExtension) else { return "application/octet-stream" }
            return type.type == .text || type.subType == "svg+xml" ? "\(type); charset=utf-8" : "\(type)"
        }
    }
}
