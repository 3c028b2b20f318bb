import FoundryStore
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// Turns every error a route throws into the API's JSON error body, so no
/// client ever sees a bare status or a stack trace.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = FoundryRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = Self.apiError(for: error)
            if apiError.status.code >= 500 {
                context.logger.error("request failed", metadata: ["path": "\(request.uri.path)", "error": "\(error)"])
            }
            return try apiError.response(from: request, context: context)
        }
    }

    static func apiError(for error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as StoreError:
            return error.apiError
        case let refusal as Refusal:
            return refusal.apiError
        case HTTPParserError.invalidEOFState:
            // The connection ended inside the body: the client went away, or a timeout cut it off.
            return APIError(.badRequest, code: "INCOMPLETE_REQUEST", message: "the connection ended before the request body was complete")
        case is HTTPParserError:
            return APIError(.badRequest, code: "INVALID_REQUEST", message: "the request is not valid HTTP/1.1: \(error)")
        case is NIOTooManyBytesError:
            return APIError(.contentTooLarge, code: "BODY_TOO_LARGE", message: "the request body is larger than the server's limit")
        case let error as HTTPError:
            let code = error.status == .notFound ? "NOT_FOUND" : error.status.reasonPhrase.uppercased().replacingOccurrences(of: " ", with: "_")
            return APIError(error.status, code: code, message: error.body ?? error.status.reasonPhrase)
        default:
            return APIError(.internalServerError, code: "INTERNAL", message: "internal error: \(error)")
        }
    }
}
