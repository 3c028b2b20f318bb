import Foundation
import FoundryStore
import HTTPTypes
import Hummingbird

extension FoundryAPI {
    /// Saving and reading versions.
    func addDraftRoutes(to router: Router<FoundryRequestContext>) {
        router.post("/projects/:id/drafts") { request, context -> Response in
            let caller = try context.requireCaller()
            let store = try await project(context, for: .edit)
            let save = try SaveBody.parse(try await JSON.bodyData(of: request, limit: configuration.maxBodyBytes)).request()
            return try await commit(save, to: store, by: caller)
        }

        router.get("/projects/:id/drafts") { request, context -> Response in
            let store = try await project(context, for: .read)
            let limit = try request.uri.queryParameters.intValue("limit", default: 50, range: 1...500)
            let before = try request.uri.queryParameters.optionalInt("before")
            let (head, drafts) = try await io.run { (try store.headVersion(), try store.history(before: before, limit: limit)) }
            let next = drafts.last.map(\.record.versionNumber).flatMap { $0 > 1 ? $0 : nil }
            return try JSON.response(DraftPage(projectID: store.id.rawValue, headVersion: head, drafts: drafts.map { DraftResponse(draft: $0) }, nextBefore: next))
        }

        router.get("/projects/:id/drafts/:version") { _, context -> Response in
            let store = try await project(context, for: .read)
            let reference = try context.parameters.require("version")
            let draft = try await io.run { () -> DraftResponse in
                let version = try VersionReference.resolve(reference, in: store)
                let draft = try store.draft(version)
                let signatures = try store.signatureRecords(on: version).filter { $0.record.payload.draftID == draft.id }
                return DraftResponse(draft: draft, contents: try store.contents(of: version), signatures: signatures.map(\.json))
            }
            return try JSON.response(draft)
        }

        router.get("/projects/:id/drafts/:version/fields/**") { request, context -> Response in
            let store = try await project(context, for: .read)
            let reference = try context.parameters.require("version")
            let field = try context.parameters.fieldName()
            let (entry, data) = try await io.run { () -> (FieldEntry, Data) in
                let version = try VersionReference.resolve(reference, in: store)
                guard let entry = try store.draft(version).record.fields[field.rawValue] else {
                    throw StoreError.fieldNotFound(field: field.rawValue, version: version)
                }
                return (entry, try store.blobs.get(entry.sha256))
            }
            let etag = "\"xxh3-\(entry.xxh3)\""
            var headers: HTTPFields = [.eTag: etag, .contentType: entry.format.contentType]
            headers[HTTPField.Name("X-Content-SHA256")!] = entry.sha256
            if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag || $0.trimmingCharacters(in: .whitespaces) == "*" }) {
                return Response(status: .notModified, headers: headers)
            }
            return Response(status: .ok, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
        }
    }
}

extension FoundryAPI {
    /// Saves, times, logs and answers a save: 201 with the new version, or
    /// 200 with `"created": false` when no byte changed (its locks are still released).
    func commit(_ save: SaveRequest, to store: ProjectStore, by caller: Caller) async throws -> Response {
        let start = ContinuousClock.now
        let result = try await io.run { store.submitSave(save, by: caller.editor) }.durable()
        metrics.saveTook(ContinuousClock.now - start)
        locksEnded(result.releasedLocks, reason: .save, project: store.id)
        if result.created { logVersion(result.draft, project: store.id) }
        let response = DraftResponse(draft: result.draft, created: result.created, releasedLocks: result.releasedLocks)
        return try JSON.response(response, status: result.created ? .created : .ok)
    }
}

/// One page of `GET /projects/{id}/drafts`, newest first.
struct DraftPage: Encodable {
    var projectID: String
    var headVersion: Int
    var drafts: [DraftResponse]
    var nextBefore: Int?

    enum CodingKeys: String, CodingKey {
        case drafts
        case projectID = "project_id"
        case headVersion = "head_version"
        case nextBefore = "next_before"
    }
}

extension FieldFormat {
    var contentType: String {
        switch self {
        case .json: return "application/json; charset=utf-8"
        case .jsonl: return "application/jsonl; charset=utf-8"
        case .yaml: return "application/yaml; charset=utf-8"
        case .text: return "text/plain; charset=utf-8"
        }
    }
}
