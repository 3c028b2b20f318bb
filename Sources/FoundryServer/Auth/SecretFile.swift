import Foundation

/// `<root>/.foundry/jwt-secret`: a random HS256 secret readable only by its owner.
struct SecretFile {
    let directory: String
    var path: String { directory + "/jwt-secret" }

    func loadOrCreate() throws -> String {
        if let existing = try? String(contentsOfFile: path, encoding: .utf8) {
            let secret = existing.trimmingCharacters(in: .whitespacesAndNewlines)
            if !secret.isEmpty { return secret }
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        var bytes = SystemRandomNumberGenerator()
        let secret = (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255, using: &bytes)) }.joined()
        let temp = directory + "/.tmp-secret-\(getpid())"
        guard FileManager.default.createFile(atPath: temp, contents: Data((secret + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw APIError.internal("cannot write \(temp)")
        }
        // link() keeps a secret created concurrently by another process: first writer wins.
        if link(temp, path) != 0, errno != EEXIST {
            unlink(temp)
            throw APIError.internal("cannot create \(path): \(String(cString: strerror(errno)))")
        }
        unlink(temp)
        return try String(contentsOfFile: path, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
