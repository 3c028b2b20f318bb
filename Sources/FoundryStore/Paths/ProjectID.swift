import Foundation

/// A validated project id: 1–63 characters of `a-z`, `0-9` and `-`, starting
/// with a letter or digit. It is a directory name under the workspace root,
/// so nothing else may pass.
public struct ProjectID: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    public init(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard (1...63).contains(bytes.count),
              let first = bytes.first, Self.isLowerAlnum(first),
              bytes.allSatisfy({ Self.isLowerAlnum($0) || $0 == UInt8(ascii: "-") })
        else { throw StoreError.invalidProjectID(text) }
        rawValue = text
    }

    public var description: String { rawValue }

    /// An id derived from a human name (`"Oncology Agent"` → `oncology-agent-3fa1`),
    /// with a random suffix so two projects of one name do not collide.
    public static func generate(from name: String) -> ProjectID {
        var slug = ""
        for scalar in name.lowercased().unicodeScalars {
            if scalar.isASCII, isLowerAlnum(UInt8(scalar.value)) {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty, slug.last != "-" {
                slug.append("-")
            }
        }
        slug = String(slug.prefix(40))
        while slug.hasSuffix("-") { slug.removeLast() }
        let suffix = String(UInt32.random(in: 0x1000...0xffff), radix: 16)
        // Built only from allowed characters, so validation cannot fail.
        return try! ProjectID(slug.isEmpty ? "project-" + suffix : slug + "-" + suffix)
    }

    private static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
