import Foundation

/// A blocking TCP socket connected to `127.0.0.1:port`, for the test clients
/// that speak HTTP or WebSocket byte by byte. Reads and writes time out after
/// `timeout` seconds; `receiveBuffer` (set before connecting, so the window
/// is small from the start) makes a client that stalls on purpose; `source`
/// (another loopback address, `127.0.0.2`…) makes it another client address.
func connectLoopback(port: Int, timeout: Int = 10, receiveBuffer: Int32? = nil, source: String? = nil) throws(HTTPFailure) -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw HTTPFailure.connect(errno: errno) }
    if var size = receiveBuffer {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }
    var time = timeval(tv_sec: timeout, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &time, socklen_t(MemoryLayout<timeval>.size))
    if let source { try callWithAddress(source, port: 0, of: fd, bind) }
    try callWithAddress("127.0.0.1", port: port, of: fd, connect)
    return fd
}

/// Calls `bind` or `connect` on `fd` with `host:port`; closes `fd` and throws when it fails.
private func callWithAddress(_ host: String, port: Int, of fd: Int32,
                         _ call: (Int32, UnsafePointer<sockaddr>, socklen_t) -> Int32) throws(HTTPFailure) {
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr(host)
    let result = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { call(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard result == 0 else {
        let failure = errno
        close(fd)
        throw HTTPFailure.connect(errno: failure)
    }
}
