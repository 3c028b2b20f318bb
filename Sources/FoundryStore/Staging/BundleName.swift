/// A validated bundle name: the directory `bundles/<name>/` of a frozen
/// project. 1–100 characters of `a-z 0-9 . _ -`, starting with a letter or
/// digit (so never `.`, `..` or a temp name); by default `<project>-<label>`,
/// e.g. `onco-0.1.7`.
public struct BundleName: Sendable, Hashable, CustomStringConvertible {
    public let rawValue: String

    public init(_ text: String) throws {
        let bytes = Array(text.utf8)
        guard (1...100).contains(bytes.count), let first = bytes.first, Self.isLowerAlnum(first),
              bytes.allSatisfy({ Self.isLowerAlnum($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") })
        else { throw StoreError.invalidBundleName(text) }
        rawValue = text
    }

    /// `<project>-<label>`: always valid, a project id being a slug and a label `0.1.N`.
    public init(project: ProjectID, label: String) {
        // Built only from allowed characters (≤ 63 + 1 + a short label), so validation cannot fail.
        self = try! BundleName(project.rawValue + "-" + label)
    }

    public var description: String { rawValue }

    private static func isLowerAlnum(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
