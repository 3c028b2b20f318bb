import Foundation
import NIOCore

extension APIError {
    /// The error as a whole HTTP/1.1 response that closes the connection,
    /// for the connection-level refusals and timeouts sent before (or
    /// instead of) any request reaching the router: the same JSON body and
    /// `Retry-After` a route's error has.
    func closingResponse(allocator: ByteBufferAllocator) -> ByteBuffer {
        let json = (try? jsonBody()) ?? Data()
        var head = "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\n"
            + "Content-Type: application/json; charset=utf-8\r\nContent-Length: \(json.count)\r\nConnection: close\r\n"
        if let retryAfter { head += "Retry-After: \(retryAfter)\r\n" }
        var buffer = allocator.buffer(capacity: head.utf8.count + 2 + json.count)
        buffer.writeString(head + "\r\n")
        buffer.writeBytes(json)
        return buffer
    }
}
