import Foundation

/// The one JSON encoding used for every record the store writes.
///
/// Sorted keys and a fixed layout make a record's bytes a function of its
/// content, so the SHA-256 of a draft file is a stable id an auditor can
/// recompute with `sha256sum`.
enum CanonicalJSON {
    static func encode(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        var data = try encoder.encode(value)
        data.append(UInt8(ascii: "\n"))
        return data
    }

    /// One line of JSON (sorted keys, no newline): the form of an audit entry.
    static func encodeLine(_ value: some Encodable) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(value)
    }

    static func decode<T: Decodable>(_ type: T.Type, from data: Data, path: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: data)
        } catch {
            throw StoreError.corrupt(path: path, reason: "not a valid \(type) record (\(error))")
        }
    }
}
