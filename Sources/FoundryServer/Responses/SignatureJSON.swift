import FoundryStore

extension StoredAnnotation where Record == SignatureRecord {
    /// A signature as the API and `SIGNATURE_ADDED` show it: the payload's
    /// members, its `id` (`s-<n>`), the record `file` and its `sha256`, and the
    /// server's `signature` over the payload.
    var jsonObject: [String: JSONValue] {
        guard case .object(var object) = (try? JSONValue(record.payload)) ?? .null else { return [:] }
        object["id"] = .string(record.annotationID)
        object["file"] = .string(AnnotationSeries.signatures.relativePath(sequence))
        object["sha256"] = .string(sha256)
        object["signature"] = .object([
            "alg": .string(record.signature.alg), "kid": .string(record.signature.kid), "value": .string(record.signature.value),
        ])
        return object
    }

    var json: JSONValue { .object(jsonObject) }
}
