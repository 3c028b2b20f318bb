import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The client's own cost of seeing one frame on each of many sockets: a
/// loopback listener in this process accepts `count` connections read by a
/// `ViewerCrowd`, and a loop writes one frame of the size of a
/// `USER_JOINED` to each, back to back, as a server with no work of its own
/// would. The time from the first write to the last socket's frame is the
/// floor under any server's fan-out measured by this client.
enum ReadFloor {
    static func measure(sockets count: Int, rounds: Int) throws -> [UInt64] {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var address = ServerProcess.loopback(port: try ServerProcess.freePort())
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(listener, Int32(count)) == 0 else { throw BenchFailure("listen: errno \(errno)") }
        let port = Int(UInt16(bigEndian: address.sin_port))
        var writers: [Int32] = []
        var readers: [(fd: Int32, leftover: [UInt8])] = []
        for _ in 0..<count {
            readers.append((try RawSocket.connect(port: port), []))
            let accepted = accept(listener, nil, nil)
            guard accepted >= 0 else { throw BenchFailure("accept: errno \(errno)") }
            var one: Int32 = 1
            setsockopt(accepted, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            writers.append(accepted)
        }
        defer { writers.forEach { close($0) } }
        let crowd = try ViewerCrowd(sockets: readers)
        defer { crowd.close() }
        var samples: [UInt64] = []
        for round in 0..<rounds {
            let marker = "floor-\(round)\""
            let payload = Array((#"{"seq":\#(round),"type":"USER_JOINED","project":"bench","ts":"2026-11-25T09:30:00.000Z","data":{"name":null,"user":"\#(marker)}}"#).utf8)
            let frame = textFrame(payload)
            crowd.watch(marker, type: "USER_JOINED", marker: marker)
            let start = Monotonic.now()
            for fd in writers { try RawSocket.send(fd, frame) }
            let deadline = Date().addingTimeInterval(10)
            while crowd.arrivals(marker) == nil {
                guard Date() < deadline else { throw BenchFailure("the read floor's frames did not arrive") }
                usleep(200)
            }
            samples.append((crowd.arrivals(marker)!.max() ?? start) - start)
            crowd.forget(marker)
        }
        return samples
    }

    /// An unmasked text frame (server to client).
    static func textFrame(_ payload: [UInt8]) -> [UInt8] {
        payload.count < 126 ? [0x81, UInt8(payload.count)] + payload : [0x81, 126, UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)] + payload
    }
}
