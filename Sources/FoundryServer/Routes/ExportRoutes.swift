import Foundation
import FoundryStore
import HTTPTypes
import Hummingbird

extension FoundryAPI {
    /// A version for a test run (`GET …/export`) and as a reproducible tarball.
    func addExportRoutes(to router: Router<FoundryRequestContext>) {
        // `?version=current|n` (default current): the head at the moment of the request.
        router.get("/projects/:id/export") { request, context -> Response in
            let store = try await project(context, for: .read)
            let reference = request.uri.queryParameters["version"].map(String.init) ?? "current"
            let payload = try await io.run { try store.exportPayload(try VersionReference.resolve(reference, in: store)) }
            return try JSON.response(payload)
        }

        router.get("/projects/:id/drafts/:version/archive.tar.gz") { _, context -> Response in
            let store = try await project(context, for: .read)
            let reference = try context.parameters.require("version")
            let archive = try await io.run { try store.versionArchive(try VersionReference.resolve(reference, in: store)) }
            return Self.tarball(archive)
        }
    }

    /// A `.tar.gz` download with its SHA-256.
    static func tarball(_ archive: (name: String, data: Data)) -> Response {
        var headers: HTTPFields = [.contentType: "application/gzip", .contentDisposition: "attachment; filename=\"\(archive.name)\""]
        headers[HTTPField.Name("X-Content-SHA256")!] = Digest.sha256(archive.data)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: archive.data)))
    }
}
