import Foundation
import HTTPTypes
import Testing
import Yams

/// The OpenAPI document and the router must describe the same API: every
/// route registered in the server's sources has an operation, and every
/// operation reaches a route of the live server.
@Suite("OpenAPI description")
struct OpenAPITests {
    /// `(method, path)` of every operation in the document, path as written (`/projects/{id}`).
    static func operations(of document: [String: Any]) -> [(method: String, path: String)] {
        let paths = document["paths"] as? [String: Any] ?? [:]
        return paths.flatMap { path, item in
            ((item as? [String: Any]) ?? [:]).keys
                .filter { ["get", "put", "post", "patch", "delete"].contains($0) }
                .map { (method: $0, path: path) }
        }.sorted { ($0.path, $0.method) < ($1.path, $1.method) }
    }

    /// `(method, pattern)` of every `router.get("…")`-style registration under `Sources/FoundryServer`.
    static func registeredRoutes() throws -> [(method: String, path: String)] {
        let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/FoundryServer")
        let files = FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        let pattern = /router\.(get|put|post|patch|delete)\("([^"]+)"\)/
        var routes: [(method: String, path: String)] = []
        for file in files {
            let text = try String(contentsOf: sources.appendingPathComponent(file), encoding: .utf8)
            for match in text.matches(of: pattern) { routes.append((method: String(match.output.1), path: String(match.output.2))) }
        }
        return routes
    }

    /// Whether a router pattern (`:id`, trailing `**` for a field path) covers a document path (`{id}`).
    static func pattern(_ route: String, covers path: String) -> Bool {
        let routeSegments = route.split(separator: "/")
        let pathSegments = path.split(separator: "/")
        for (index, segment) in routeSegments.enumerated() {
            if segment == "**" { return pathSegments.count > index && pathSegments[index].hasPrefix("{") }
            guard index < pathSegments.count else { return false }
            let parameter = segment.hasPrefix(":") && pathSegments[index].hasPrefix("{")
            guard parameter || segment == pathSegments[index] else { return false }
        }
        return routeSegments.count == pathSegments.count
    }

    @Test("GET /openapi.yaml needs no token and serves an OpenAPI 3.1 document whose operations all have responses")
    func served() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            let response = try await api.request(.get, "/openapi.yaml", token: nil)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/yaml") == true)
            let document = try #require(try Yams.load(yaml: response.text) as? [String: Any])
            #expect(document["openapi"] as? String == "3.1.0")
            let operations = Self.operations(of: document)
            #expect(operations.count >= 20)
            let paths = try #require(document["paths"] as? [String: [String: Any]])
            for (method, path) in operations {
                let operation = paths[path]?[method] as? [String: Any]
                #expect(operation?["operationId"] is String, "\(method) \(path) has no operationId")
                #expect((operation?["responses"] as? [String: Any])?.isEmpty == false, "\(method) \(path) has no responses")
            }
        }
    }

    @Test("Every route registered in the sources is in the document, and every documented operation reaches a route")
    func matchesRouter() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        let document = try #require(try Yams.load(yaml: String(contentsOfFile: Self.documentPath, encoding: .utf8)) as? [String: Any])
        let operations = Self.operations(of: document)
        let routes = try Self.registeredRoutes()
        #expect(routes.count >= 20, "the source scan found \(routes.count) routes")
        for route in routes {
            #expect(operations.contains { $0.method == route.method && Self.pattern(route.path, covers: $0.path) },
                    "\(route.method.uppercased()) \(route.path) is registered but not documented")
        }
        try await server.run { api in
            let alice = try await server.token("alice")
            _ = try await api.request(.post, "/projects", token: alice, json: ["name": "x", "id": "p", "fields": ["system_prompt": "hi\n"]])
            for (method, path) in operations {
                let uri = path.replacingOccurrences(of: "{id}", with: "p").replacingOccurrences(of: "{version}", with: "1")
                    .replacingOccurrences(of: "{field}", with: "system_prompt").replacingOccurrences(of: "{user}", with: "bob")
                    .replacingOccurrences(of: #"\{[a-z_]+\}"#, with: "x", options: .regularExpression)
                let response = try await api.request(HTTPRequest.Method(method.uppercased())!, uri, token: alice)
                let code = (response.json["error"] as? [String: Any])?["code"] as? String
                #expect(!["NOT_FOUND", "METHOD_NOT_ALLOWED"].contains(code ?? ""), "\(method.uppercased()) \(uri): \(response.status) \(response.text)")
            }
        }
    }

    static var documentPath: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/FoundryServer/OpenAPI/openapi.yaml").path
    }
}
