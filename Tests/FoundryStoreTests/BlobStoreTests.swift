import Foundation
import Testing
@testable import FoundryStore

@Suite("Content-addressed blobs")
struct BlobStoreTests {
    @Test("A blob is named by the SHA-256 that sha256sum computes, read-only, and stored once")
    func blobIsContentAddressed() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let blobs = BlobStore(layout: ProjectLayout(directory: directory.path))
        let data = Data("You are an oncology protocol assistant.\n".utf8)
        let hash = try blobs.put(data)
        let path = ProjectLayout(directory: directory.path).blob(hash)
        let sha256sum = try run("/usr/bin/sha256sum", [path])
        #expect(sha256sum.output.hasPrefix(hash + " "))
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o444)
        #expect(try blobs.put(data) == hash)
        #expect(try blobs.all() == [hash])
        #expect(try blobs.get(hash) == data)
    }

    @Test("Reading a blob whose bytes were altered fails instead of returning them")
    func tamperedBlob() throws {
        let directory = try TemporaryDirectory()
        defer { directory.cleanup() }
        let layout = ProjectLayout(directory: directory.path)
        let hash = try BlobStore(layout: layout).put(Data("original".utf8))
        chmod(layout.blob(hash), 0o644)
        try Data("tampered".utf8).write(to: URL(fileURLWithPath: layout.blob(hash)))
        #expect(throws: StoreError.self) { try BlobStore(layout: layout).get(hash) }
    }
}
