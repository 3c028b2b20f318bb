import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `foundry serve` as a child process on a loopback port, its output in a log file.
final class ServerProcess {
    /// The server did not start listening; its log says why.
    struct StartFailure: Error, CustomStringConvertible {
        var log: String
        var description: String { "foundry serve did not start listening:\n" + log }
    }

    let pid: pid_t
    private var exited = false

    init(executable: String, root: String, port: Int, secret: String, cpu: Int?, arguments: [String], log: String) throws {
        let serve = [executable, "serve", "--root", root, "--port", String(port), "--log-level", "error"] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["FOUNDRY_JWT_SECRET"] = secret
        pid = try Spawn.start((cpu.map { ["taskset", "-c", String($0)] } ?? []) + serve, output: log, errors: log, environment: environment)
        let deadline = Date().addingTimeInterval(60)
        while !Self.isListening(port: port) {
            if Spawn.poll(pid) != nil {
                exited = true
            }
            if exited || Date() > deadline {
                stop()
                throw StartFailure(log: (try? String(contentsOfFile: log, encoding: .utf8)) ?? "")
            }
            usleep(20_000)
        }
    }

    /// The child's resident set size (VmRSS) in megabytes.
    func residentMegabytes() -> Double {
        let status = (try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)) ?? ""
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Double(line.split(separator: " ").dropFirst().first ?? "0") ?? 0) / 1024
    }

    /// `SIGTERM`, then `SIGKILL` if the server has not exited after 20 s.
    func stop() {
        guard !exited else { return }
        exited = true
        kill(pid, SIGTERM)
        let deadline = Date().addingTimeInterval(20)
        while Spawn.poll(pid) == nil {
            if Date() > deadline {
                kill(pid, SIGKILL)
                _ = try? Spawn.wait(pid)
                return
            }
            usleep(10_000)
        }
    }

    /// A port nothing listens on now (the kernel's pick for port 0).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard bound == 0, named == 0 else { throw BenchFailure("no free loopback port: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }

    private static func isListening(port: Int) -> Bool {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = loopback(port: port)
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        } == 0
    }
}
