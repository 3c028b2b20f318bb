import Foundation
import HTTPTypes
import Hummingbird

/// An error as the API shows it: a status and
/// `{"error": {"code": "...", "message": "...", ...details}}`.
public struct APIError: Error, HTTPResponseError, Sendable, CustomStringConvertible {
    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    /// Extra facts a client can act on (e.g. the lock holder).
    public var details: [String: String]
    /// The `WWW-Authenticate` value of a 401 (default `Bearer`), e.g. an RFC 9470 step-up challenge.
    public var challenge: String?

    public init(_ status: HTTPResponse.Status, code: String, message: String, details: [String: String] = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    public static func badRequest(_ code: String, _ message: String) -> APIError { APIError(.badRequest, code: code, message: message) }
    public static func unauthorized(_ message: String) -> APIError { APIError(.unauthorized, code: "UNAUTHORIZED", message: message) }
    public static func notFound(_ message: String) -> APIError { APIError(.notFound, code: "NOT_FOUND", message: message) }
    public static func `internal`(_ message: String) -> APIError { APIError(.internalServerError, code: "INTERNAL", message: message) }

    public func response(from request: Request, context: some RequestContext) throws -> Response {
        var body: [String: String] = details
        body["code"] = code
        body["message"] = message
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if status == .unauthorized { headers[.wwwAuthenticate] = challenge ?? "Bearer" }
        let data = try JSON.encoder.encode(["error": body])
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
