import Foundation
import Testing

/// `foundry serve` refuses limits it cannot honour before it listens.
@Suite("Limit flags")
struct LimitFlagTests {
    static func serve(_ arguments: [String], wrapper: [String] = []) throws -> (status: Int32, output: String) {
        let root = NSTemporaryDirectory() + "foundry-limit-flags-" + UUID().uuidString
        defer { try? FileManager.default.removeItem(atPath: root) }
        let command = wrapper + [foundryExecutable, "serve", "--root", root, "--port", "0"] + arguments
        return try run(command[0], Array(command.dropFirst()))
    }

    @Test("Negative limits and an empty burst are refused with a message naming the flags")
    func invalidValues() throws {
        for arguments in [["--rate-burst", "0"], ["--request-header-timeout=-1"], ["--max-connections", "0"]] {
            let (status, output) = try Self.serve(arguments)
            #expect(status != 0, "\(arguments)")
            #expect(output.contains("--rate-burst"), "\(arguments): \(output)")
        }
    }

    @Test("More connections than the open-file limit leaves room for are refused at start")
    func ceilingAboveTheDescriptorLimit() throws {
        let (status, output) = try Self.serve(["--max-connections", "400"], wrapper: ["/usr/bin/prlimit", "--nofile=512:512", "--"])
        #expect(status != 0)
        #expect(output.contains("--max-connections 400 needs"), "\(output)")
    }
}
