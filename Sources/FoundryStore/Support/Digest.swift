import CLibCrypto
import CXXHash
import Foundation

/// Content hashes: SHA-256 (OpenSSL libcrypto) names content, XXH3 (libxxhash)
/// is the cheap fingerprint for ETags and change detection.
public enum Digest {
    /// Lower-case hex SHA-256 of `data`.
    public static func sha256(_ data: Data) -> String {
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        let ok = data.withUnsafeBytes { buffer in
            EVP_Digest(buffer.baseAddress, buffer.count, &digest, &length, EVP_sha256(), nil)
        }
        precondition(ok == 1, "EVP_Digest(SHA-256) failed")
        return hex(digest[0..<Int(length)])
    }

    /// Lower-case hex SHA-256 of a file, streamed in 1 MiB chunks; `nil` when it does not exist.
    public static func sha256(fileAt path: String) throws -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw StoreError.system("open", path)
        }
        defer { close(fd) }
        guard let context = EVP_MD_CTX_new() else { throw StoreError.io(path: path, operation: "hash", errno: ENOMEM) }
        defer { EVP_MD_CTX_free(context) }
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw StoreError.system("read", path)
            }
            if count == 0 { break }
            EVP_DigestUpdate(context, chunk, count)
        }
        var digest = [UInt8](repeating: 0, count: Int(EVP_MAX_MD_SIZE))
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return hex(digest[0..<Int(length)])
    }

    /// 16 hex digits of XXH3-64 over `data`.
    public static func xxh3(_ data: Data) -> String {
        let value = data.withUnsafeBytes { XXH3_64bits($0.baseAddress, $0.count) }
        let text = String(value, radix: 16)
        return String(repeating: "0", count: 16 - text.count) + text
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
