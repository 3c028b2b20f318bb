import AsyncHTTPClient
import Foundation
import FoundryStore
import JWTKit
import NIOCore

/// Fetches the provider's discovery document and key set over HTTP(S).
///
/// AsyncHTTPClient rather than FoundationNetworking's URLSession: it runs on
/// SwiftNIO like the server (no libcurl, no thread of its own), gives every
/// request a deadline, is clean under Swift 6's strict concurrency, and
/// speaks TLS through swift-nio-ssl with the system's trust roots.
struct ProviderFetcher: Sendable {
    let configuration: ProviderConfiguration
    var client: HTTPClient = .shared

    /// The largest discovery document or key set read.
    static let maximumBytes = 1 << 20

    /// The issuer's key set and how long it may be kept.
    func fetchKeySet() async throws -> (jwks: JWKS, maxAge: TimeInterval) {
        let (discovery, _) = try await get(configuration.discoveryURL)
        guard case .object(let document) = try JSONDecoder().decode(JSONValue.self, from: discovery) else {
            throw TokenRejection("the discovery document at \(configuration.discoveryURL) is not a JSON object")
        }
        guard document["issuer"]?.string == configuration.issuer else {
            throw TokenRejection("the discovery document names issuer '\(document["issuer"]?.string ?? "none")', not '\(configuration.issuer)'")
        }
        guard let jwksURI = document["jwks_uri"]?.string else { throw TokenRejection("the discovery document has no jwks_uri") }
        let (body, cacheControl) = try await get(jwksURI)
        let jwks: JWKS
        do { jwks = try JSONDecoder().decode(JWKS.self, from: body) } catch {
            throw TokenRejection("\(jwksURI) is not a JSON Web Key Set: \(error)")
        }
        return (jwks, CacheControl.maxAge(cacheControl) ?? configuration.defaultMaxAge)
    }

    private func get(_ url: String) async throws -> (Data, cacheControl: String?) {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let response: HTTPClientResponse
        do {
            response = try await client.execute(request, timeout: .milliseconds(Int64(configuration.timeout * 1000)))
        } catch {
            throw TokenRejection("GET \(url) failed: \(error)")
        }
        let body = try await response.body.collect(upTo: Self.maximumBytes)
        guard response.status == .ok else { throw TokenRejection("GET \(url) answered \(response.status.code)") }
        return (Data(body.readableBytesView), response.headers.first(name: "Cache-Control"))
    }
}
