import Foundation
import FoundryStore
import Hummingbird

/// The body of `POST /projects/{id}/signatures`.
struct SignatureBody: Decodable {
    var version: Int
    var meaning: String
    var reason: String?
}

extension FoundryAPI {
    /// Electronic signatures: sign a version (with a fresh authentication), list and read them.
    func addSignatureRoutes(to router: Router<FoundryRequestContext>) {
        router.post("/projects/:id/signatures") { request, context -> Response in
            let caller = try context.requireCaller()
            let store = try await project(context, for: .sign)
            let body = try await JSON.decode(SignatureBody.self, from: request, limit: configuration.maxBodyBytes)
            guard let meaning = SignatureMeaning(rawValue: body.meaning) else {
                throw APIError.badRequest("INVALID_ARGUMENT", "meaning '\(body.meaning)' is not one of \(SignatureMeaning.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            guard meaning != .released else { throw StoreError.releasedBySigning }
            // The role decides before the authentication: a viewer is refused whatever its token.
            let role = try await io.run { try store.authorize(.sign, user: caller.user) }
            guard meaning.permits(role) else {
                throw StoreError.forbidden(user: caller.user, action: "sign_" + meaning.rawValue, project: store.id.rawValue, role: role.rawValue)
            }
            let signer = try configuration.signing.signer(for: caller)
            let request = SignatureRequest(version: body.version, meaning: meaning, reason: body.reason)
            let signature = try await io.run { try store.sign(request, by: signer) }
            logSignature(signature, project: store.id)
            return try JSON.response(signature.json, status: .created, headers: [
                .location: "/projects/\(store.id)/signatures/\(signature.sequence)",
            ])
        }

        router.get("/projects/:id/signatures") { request, context -> Response in
            let store = try await project(context, for: .read)
            let version = try request.uri.queryParameters["version"].map { try VersionReference.resolve(String($0), in: store) }
            let signatures = try await io.run { try store.signatureRecords(on: version) }
            return try JSON.response(["project_id": .string(store.id.rawValue), "signatures": .array(signatures.map(\.json))] as [String: JSONValue])
        }

        router.get("/projects/:id/signatures/:seq") { _, context -> Response in
            let store = try await project(context, for: .read)
            let text = try context.parameters.require("seq")
            guard let seq = Int(text.hasPrefix("s-") ? String(text.dropFirst(2)) : text), seq >= 1 else {
                throw APIError.badRequest("INVALID_ARGUMENT", "'\(text)' is not a signature: use its number or s-<number>")
            }
            guard let signature = try await io.run({ try store.signatures.record(seq) }) else {
                throw APIError(.notFound, code: "SIGNATURE_NOT_FOUND", message: "signature s-\(seq) of project '\(store.id)' not found")
            }
            return try JSON.response(signature.json)
        }
    }

    /// Logs a signature: `signature added` with who, which version and meaning.
    func logSignature(_ signature: StoredSignature, project: ProjectID) {
        let payload = signature.record.payload
        logger.info("signature added", metadata: [
            "project": "\(project)", "user": "\(payload.signerID)", "session": "\(payload.session)", "version": "\(payload.version)",
            "draft_id": "\(payload.draftID)", "meaning": "\(payload.meaning.rawValue)", "file": "\(AnnotationSeries.signatures.relativePath(signature.sequence))",
        ])
    }
}
