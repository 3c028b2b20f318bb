import Foundation
import Hummingbird

/// The OpenAPI 3.1 description of the HTTP API, shipped beside the server as
/// a resource and checked against the routes by `OpenAPITests`.
enum OpenAPIDocument {
    /// The document's bytes, read once.
    static let yaml: Data? = Bundle.module.url(forResource: "openapi", withExtension: "yaml").flatMap { try? Data(contentsOf: $0) }
}

extension FoundryAPI {
    /// `GET /openapi.yaml` (no token needed).
    func addOpenAPIRoutes(to router: Router<FoundryRequestContext>) {
        router.get("/openapi.yaml") { _, _ -> Response in
            guard let yaml = OpenAPIDocument.yaml else { throw APIError.internal("the OpenAPI document is missing from the server's resources") }
            return Response(status: .ok, headers: [.contentType: "application/yaml; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(bytes: yaml)))
        }
    }
}
