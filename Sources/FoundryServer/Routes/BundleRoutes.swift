import Foundation
import FoundryStore
import HTTPTypes
import Hummingbird

/// The optional body of `POST /projects/{id}/freeze`.
struct FreezeBody: Decodable {
    /// The bundle's name (default `<project>-<label>`).
    var name: String?
    /// The version the owner reviewed; refused unless it is still the head.
    var version: Int?
    /// Why the version is released: the reason of the `released` signature.
    var reason: String?
}

/// A bundle as `POST …/freeze` and `GET …/bundles` describe it.
struct BundleSummary: Encodable {
    var projectID: String
    var bundle: String
    var version: Int
    var label: String
    var draftID: String
    var frozenBy: String?
    var frozenAt: String?
    var manifestSHA256: String
    var reused: Bool?
    var manifest: ReleaseManifest?

    init(manifest: ReleaseManifest, manifestSHA256: String, name: BundleName, reused: Bool? = nil, withManifest: Bool = false) {
        projectID = manifest.projectID
        bundle = name.rawValue
        version = manifest.version
        label = manifest.label
        draftID = manifest.draftID
        frozenBy = manifest.frozenBy
        frozenAt = manifest.frozenAt
        self.manifestSHA256 = manifestSHA256
        self.reused = reused
        self.manifest = withManifest ? manifest : nil
    }

    init(tree: ReleaseTree, name: BundleName) {
        self.init(manifest: tree.manifest, manifestSHA256: Digest.sha256(tree.files[ReleaseTree.manifestName] ?? Data()), name: name)
    }

    enum CodingKeys: String, CodingKey {
        case bundle, version, label, reused, manifest
        case projectID = "project_id"
        case draftID = "draft_id"
        case frozenBy = "frozen_by"
        case frozenAt = "frozen_at"
        case manifestSHA256 = "manifest_sha256"
    }
}

extension FoundryAPI {
    /// Freeze (owners) and the bundles it writes.
    func addBundleRoutes(to router: Router<FoundryRequestContext>) {
        router.post("/projects/:id/freeze") { request, context -> Response in
            let caller = try context.requireCaller()
            let store = try await project(context, for: .manage)
            let data = try await JSON.bodyData(of: request, limit: configuration.maxBodyBytes)
            let body = data.isEmpty ? FreezeBody() : try JSON.decode(FreezeBody.self, from: data)
            let freeze = FreezeRequest(bundleName: try body.name.map(BundleName.init), expectedVersion: body.version, reason: body.reason)
            // Freezing signs `released`: it needs the same fresh authentication as any signature.
            let signer = try configuration.signing.signer(for: caller)
            let result = try await io.run { try store.freeze(freeze, by: signer) }
            if let signature = result.signature { logSignature(signature, project: store.id) }
            logger.info("project frozen", metadata: [
                "project": "\(store.id)", "user": "\(caller.user)", "session": "\(caller.editor.session)", "version": "\(result.manifest.version)",
                "draft_id": "\(result.manifest.draftID)", "bundle": "\(result.bundle)", "manifest_sha256": "\(result.manifestSHA256)",
                "reused_bundle": "\(result.reused)",
            ])
            return try JSON.response(
                BundleSummary(manifest: result.manifest, manifestSHA256: result.manifestSHA256, name: result.bundle, reused: result.reused, withManifest: true),
                status: .created, headers: [.location: "/projects/\(store.id)/bundles/\(result.bundle)"]
            )
        }

        router.get("/projects/:id/bundles") { _, context -> Response in
            let store = try await project(context, for: .read)
            let bundles = try await io.run {
                try store.bundleNames().map { BundleSummary(tree: try store.bundle($0), name: $0) }
            }
            return try JSON.response(["bundles": bundles])
        }

        // The bundle's MANIFEST.json, byte for byte (its SHA-256 is the one audited).
        router.get("/projects/:id/bundles/:name") { _, context -> Response in
            let store = try await project(context, for: .read)
            let name = try BundleName(try context.parameters.require("name"))
            let data = try await io.run { try store.bundle(name).files[ReleaseTree.manifestName] ?? Data() }
            var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
            headers[HTTPField.Name("X-Content-SHA256")!] = Digest.sha256(data)
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }

        // The bundle's SHA256SUMS as on disk: what `sha256sum -c` checks in the publisher's copy.
        router.get("/projects/:id/bundles/:name/SHA256SUMS") { _, context -> Response in
            let store = try await project(context, for: .read)
            let name = try BundleName(try context.parameters.require("name"))
            let data = try await io.run { try store.bundle(name).files[ReleaseTree.checksumsName] ?? Data() }
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }

        router.get("/projects/:id/bundles/:name/archive.tar.gz") { _, context -> Response in
            let store = try await project(context, for: .read)
            let name = try BundleName(try context.parameters.require("name"))
            return Self.tarball(try await io.run { try store.bundleArchive(name) })
        }
    }
}
