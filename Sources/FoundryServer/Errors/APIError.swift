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
    /// Seconds after which the client may try again: sent as `Retry-After` and `retry_after`.
    public var retryAfter: Int?

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
        var headers: HTTPFields = [.contentType: "application/json; charset=utf-8"]
        if status == .unauthorized { headers[.wwwAuthenticate] = challenge ?? "Bearer" }
        if let retryAfter { headers[.retryAfter] = String(retryAfter) }
        return Response(status: status, headers: headers, body: .init(byteBuffer: ByteBuffer(bytes: try jsonBody())))
    }

    /// `{"error": {"code", "message", "retry_after"?, ...details}}`.
    func jsonBody() throws -> Data {
        var body: [String: String] = details
        body["code"] = code
        body["message"] = message
        if let retryAfter { body["retry_after"] = String(retryAfter) }
        return try JSON.encoder.encode(["error": body])
    }
}
