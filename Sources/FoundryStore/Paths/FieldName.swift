/// A validated field name: a relative path such as `system_prompt`,
/// `model_config.json` or `fewshot/eligibility.jsonl`.
///
/// Allow-list: 1–8 segments separated by `/`, each 1–100 characters of
/// `A-Z a-z 0-9 . _ -` that does not start with `.` (so no `..`, no hidden
/// files, no temp-file names), 200 characters at most in all. Absolute paths,
/// NUL, backslashes, `%` and every other character are refused, so a field
/// name can never leave the project directory.
public struct FieldName: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(_ text: String) throws {
        guard !text.isEmpty else { throw StoreError.invalidFieldName(text, reason: "it is empty") }
        guard text.utf8.count <= 200 else { throw StoreError.invalidFieldName(text, reason: "longer than 200 characters") }
        guard !text.hasPrefix("/") else { throw StoreError.invalidFieldName(text, reason: "absolute paths are not allowed") }
        let segments = text.split(separator: "/", omittingEmptySubsequences: false)
        guard segments.count <= 8 else { throw StoreError.invalidFieldName(text, reason: "more than 8 path segments") }
        for segment in segments {
            guard !segment.isEmpty else { throw StoreError.invalidFieldName(text, reason: "empty path segment") }
            guard segment.utf8.count <= 100 else { throw StoreError.invalidFieldName(text, reason: "a segment is longer than 100 characters") }
            guard segment.first != "." else {
                throw StoreError.invalidFieldName(text, reason: "a segment may not start with '.' (no '..', no hidden names)")
            }
            guard segment.utf8.allSatisfy(Self.isAllowed) else {
                throw StoreError.invalidFieldName(text, reason: "only A-Z a-z 0-9 . _ - and '/' between segments are allowed")
            }
        }
        rawValue = text
    }

    public var description: String { rawValue }

    public static func < (lhs: FieldName, rhs: FieldName) -> Bool { lhs.rawValue < rhs.rawValue }

    /// The lock file's base name: `/` becomes `%2F` (`%` cannot occur in a name).
    var lockFileName: String {
        rawValue.replacingOccurrences(of: "/", with: "%2F") + ".lock"
    }

    /// The field whose lock file is named `fileName`, or `nil` for any other name.
    static func fromLockFileName(_ fileName: String) -> FieldName? {
        guard fileName.hasSuffix(".lock") else { return nil }
        return try? FieldName(String(fileName.dropLast(5)).replacingOccurrences(of: "%2F", with: "/"))
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "-"):
            return true
        default:
            return false
        }
    }
}

import Foundation
