import Foundation
import HTTPTypes
import Hummingbird

/// JSON in and out of the API: one encoder (sorted keys, no escaped slashes)
/// and a body reader that enforces the size limit and names what is wrong.
enum JSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) throws -> Response {
        var fields = headers
        fields[.contentType] = "application/json; charset=utf-8"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(bytes: try encoder.encode(value))))
    }

    /// The request body as bytes, refusing more than `limit` (413) and non-UTF-8 text (400).
    static func bodyData(of request: Request, limit: Int) async throws -> Data {
        var request = request
        let buffer = try await request.collectBody(upTo: limit)
        let data = Data(buffer.readableBytesView)
        guard String(validating: data, as: UTF8.self) != nil else {
            throw APIError.badRequest("INVALID_UTF8", "the request body is not valid UTF-8")
        }
        return data
    }

    /// Decodes the body as `T`, with a 400 naming the first problem.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws -> T {
        try decode(type, from: try await bodyData(of: request, limit: limit))
    }

    /// Decodes `data` as `T`, with a 400 naming the first problem.
    static func decode<T: Decodable>(_ type: T.Type, from data: Data) throws -> T {
        guard !data.isEmpty else { throw APIError.badRequest("INVALID_JSON", "the request body is empty; send a JSON object") }
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch let error as DecodingError {
            throw APIError.badRequest("INVALID_JSON", describe(error))
        } catch {
            throw APIError.badRequest("INVALID_JSON", "the request body is not valid JSON")
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map(String.init) ?? $0.stringValue }
            return keys.isEmpty ? "the body" : "'" + keys.joined(separator: ".") + "'"
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing key '\(([context.codingPath.map(\.stringValue).joined(separator: ".")] + [key.stringValue]).filter { !$0.isEmpty }.joined(separator: "."))'"
        case .typeMismatch(let type, let context):
            return "\(path(context)) must be of type \(type)"
        case .valueNotFound(let type, let context):
            return "\(path(context)) must be a \(type), not null"
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "the request body is not valid JSON" : "\(path(context)) is invalid: \(context.debugDescription)"
        @unknown default:
            return "the request body does not match the expected shape"
        }
    }
}
