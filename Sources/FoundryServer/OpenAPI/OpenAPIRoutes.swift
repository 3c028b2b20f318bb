import Foundation
import Hummingbird

/// The descriptions of the server's interfaces, shipped beside the server as
/// resources: the OpenAPI 3.1 document of the HTTP routes (checked against
/// the router by `OpenAPITests`) and the AsyncAPI 3.0 document of the
/// socket's messages (checked against `EventType` and `ClientMessage` by
/// `AsyncAPITests`).
enum APIDocument: String, CaseIterable, Sendable {
    case openapi, asyncapi

    /// The document's bytes, read once.
    var yaml: Data? { Self.loaded[self] ?? nil }

    private static let loaded: [APIDocument: Data?] = Dictionary(uniqueKeysWithValues: allCases.map { document in
        (document, Bundle.module.url(forResource: document.rawValue, withExtension: "yaml").flatMap { try? Data(contentsOf: $0) })
    })

    func response() throws -> Response {
        guard let yaml else { throw APIError.internal("\(rawValue).yaml is missing from the server's resources") }
        return Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: yaml)))
    }
}

extension FoundryAPI {
    /// `GET /openapi.yaml` and `GET /asyncapi.yaml` (no token needed).
    func addOpenAPIRoutes(to router: Router<FoundryRequestContext>) {
        router.get("/openapi.yaml") { _, _ -> Response in try APIDocument.openapi.response() }
        router.get("/asyncapi.yaml") { _, _ -> Response in try APIDocument.asyncapi.response() }
    }
}
