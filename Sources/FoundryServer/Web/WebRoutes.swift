import Foundation
import HTTPTypes
import Hummingbird

extension FoundryAPI {
    /// The web workspace: `GET /` is its page, `GET /web/{path}` its scripts,
    /// styles and vendored libraries (no token needed: they hold no project
    /// data; the page signs in with a bearer token like any client).
    ///
    /// Every file is revalidated on each load (`Cache-Control: no-cache`) by
    /// its strong `ETag`, so a new server version is never mixed with cached
    /// files of an older one, and an unchanged file costs a 304.
    func addWebRoutes(to router: Router<FoundryRequestContext>) {
        let assets = WebAssets.bundled
        let security = WebSecurity.headers(frameAncestors: configuration.webFrameAncestors)
        router.get("/") { request, _ -> Response in
            try Self.serve(assets["index.html"], path: "index.html", for: request, security: security)
        }
        router.get("/web/**") { request, context -> Response in
            let path = context.parameters.getCatchAll().joined(separator: "/")
            return try Self.serve(assets[path], path: path, for: request, security: security)
        }
    }

    static func serve(_ asset: WebAsset?, path: String, for request: Request, security: HTTPFields) throws -> Response {
        guard let asset else { throw APIError(.notFound, code: "FILE_NOT_FOUND", message: "no file '\(path)' in the web workspace") }
        let gzip = asset.gzipped != nil && Self.acceptsGzip(request.headers[.acceptEncoding])
        let etag = gzip ? String(asset.etag.dropLast()) + "-gz\"" : asset.etag
        var headers = security
        headers[.eTag] = etag
        headers[.cacheControl] = "no-cache"
        if asset.gzipped != nil { headers[.vary] = "Accept-Encoding" }
        if let match = request.headers[.ifNoneMatch], match.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == etag || $0 == "*" }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = asset.contentType
        if gzip { headers[.contentEncoding] = "gzip" }
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: gzip ? asset.gzipped! : asset.body))
    }

    /// Whether `Accept-Encoding` allows gzip (named, and not with `q=0`).
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let header else { return false }
        return header.split(separator: ",").contains { coding in
            let parts = coding.split(separator: ";").map { $0.replacingOccurrences(of: " ", with: "").lowercased() }
            guard parts.first == "gzip" || parts.first == "x-gzip" else { return false }
            let quality = parts.dropFirst().first { $0.hasPrefix("q=") }.flatMap { Double($0.dropFirst(2)) } ?? 1
            return quality > 0
        }
    }
}
