import FoundryDiff
import FoundryStore
import Hummingbird

/// `GET /projects/{id}/diff` as JSON: the version numbers and the comparison.
struct DiffResponse: Encodable {
    var from: Int
    var to: Int
    var added: [String]
    var removed: [String]
    var changed: [String]
    var files: [FileDiff]
}

extension FoundryAPI {
    /// `GET /projects/{id}/diff?from=&to=[&field=][&format=unified|json]`.
    func addDiffRoutes(to router: Router<FoundryRequestContext>) {
        router.get("/projects/:id/diff") { request, context -> Response in
            let store = try await project(context, for: .read)
            let query = request.uri.queryParameters
            guard let from = query["from"].map(String.init), let to = query["to"].map(String.init) else {
                throw APIError.badRequest("INVALID_QUERY", "give both 'from' and 'to' (version numbers or 'current')")
            }
            let format = query["format"].map(String.init) ?? "unified"
            guard format == "unified" || format == "json" else {
                throw APIError.badRequest("INVALID_QUERY", "'format' must be 'unified' or 'json'")
            }
            let field = try query["field"].map { try FieldName(String($0)) }
            let (old, new, diff) = try await io.run { () -> (Int, Int, VersionDiff) in
                let old = try VersionReference.resolve(from, in: store)
                let new = try VersionReference.resolve(to, in: store)
                var sides = (try store.diffSides(of: old), try store.diffSides(of: new))
                if let field {
                    guard sides.0[field.rawValue] != nil || sides.1[field.rawValue] != nil else {
                        throw StoreError.fieldNotFound(field: field.rawValue, version: new)
                    }
                    sides = (sides.0.filter { $0.key == field.rawValue }, sides.1.filter { $0.key == field.rawValue })
                }
                return (old, new, Differ.compare(old: sides.0, new: sides.1))
            }
            if format == "json" {
                return try JSON.response(DiffResponse(from: old, to: new, added: diff.added, removed: diff.removed, changed: diff.changed, files: diff.files))
            }
            return Response(status: .ok, headers: [.contentType: "text/x-diff; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: diff.unified())))
        }
    }
}

extension ProjectStore {
    /// Every field of `version` as a diff side (text and SHA-256).
    func diffSides(of version: Int) throws -> [String: DiffSide] {
        try draft(version).record.fields.mapValues { DiffSide(text: String(decoding: try blobs.get($0.sha256), as: UTF8.self), hash: $0.sha256) }
    }
}
