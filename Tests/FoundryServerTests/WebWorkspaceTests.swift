import Foundation
@testable import FoundryServer
import FoundryStore
import HTTPTypes
import Testing

/// The web workspace's files as the server serves them (the page itself is
/// tested in real Chromium by Tests/Browser, run by `make test`).
@Suite("The web workspace's files")
struct WebWorkspaceTests {
    static let staticDirectory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/FoundryServer/Web/Static")

    static let policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; font-src 'self'; connect-src 'self'; "
        + "manifest-src 'self'; base-uri 'none'; form-action 'none'; object-src 'none'; frame-ancestors 'none'"

    @Test("GET / serves the page without a token, with a strict Content-Security-Policy, nosniff and revalidation by ETag")
    func page() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            let page = try await api.request(.get, "/", token: nil)
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            #expect(page.headers[HTTPField.Name("Content-Security-Policy")!] == Self.policy)
            #expect(page.headers[HTTPField.Name("X-Content-Type-Options")!] == "nosniff")
            #expect(page.headers[HTTPField.Name("Referrer-Policy")!] == "no-referrer")
            #expect(page.headers[.cacheControl] == "no-cache")
            #expect(page.text.contains(#"<script type="module" src="/web/js/main.js"></script>"#))
            #expect(!page.text.contains("style=") && !page.text.contains("<script>"), "no inline style or script: the policy would refuse them")
            let etag = try #require(page.headers[.eTag])
            let again = try await api.request(.get, "/", token: nil, headers: [.ifNoneMatch: "\"other\", \(etag)"])
            #expect(again.status == .notModified)
            #expect(again.body.isEmpty)
            #expect(again.headers[.eTag] == etag)
        }
    }

    @Test("Every script and stylesheet the page and its modules name is served with its content type")
    func everyReferenceResolves() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            let page = try await api.request(.get, "/", token: nil).text
            var paths = Set(page.matches(of: /(?:src|href)="(\/web\/[^"]+)"/).map { String($0.output.1) })
            // Each module's relative imports, resolved from its own URL.
            var modules = paths.filter { $0.hasSuffix(".js") && $0.contains("/js/") }
            while let module = modules.popFirst() {
                let source = try await api.request(.get, module, token: nil).text
                for match in source.matches(of: /from '(\.[^']+)'/) {
                    let resolved = URL(string: String(match.output.1), relativeTo: URL(string: "http://x" + module))!.path
                    if paths.insert(resolved).inserted { modules.insert(resolved) }
                }
            }
            #expect(paths.count >= 25, "\(paths.sorted())")
            // Every module is preloaded from the page (one round of requests, not one per import level).
            let preloaded = Set(page.matches(of: /rel="modulepreload" href="([^"]+)"/).map { String($0.output.1) })
            #expect(preloaded == Set(paths.filter { $0.hasPrefix("/web/js/") }), "modulepreload list and module graph differ")
            for path in paths.sorted() {
                let response = try await api.request(.get, path, token: nil)
                #expect(response.status == .ok, "\(path)")
                let type = path.hasSuffix(".css") ? "text/css; charset=utf-8" : path.hasSuffix(".svg") ? "image/svg+xml; charset=utf-8" : "application/javascript; charset=utf-8"
                #expect(response.headers[.contentType] == type, "\(path)")
                #expect(response.headers[HTTPField.Name("Content-Security-Policy")!] == Self.policy)
            }
        }
    }

    @Test("A client that accepts gzip gets the large files compressed, with their own ETag; the bytes are the same")
    func gzip() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            let path = "/web/vendor/codemirror/codemirror.js"
            let plain = try await api.request(.get, path, token: nil)
            let packed = try await api.request(.get, path, token: nil, headers: [.acceptEncoding: "br;q=1, gzip;q=0.8"])
            #expect(plain.headers[.contentEncoding] == nil)
            #expect(packed.headers[.contentEncoding] == "gzip")
            #expect(packed.headers[.vary] == "Accept-Encoding")
            #expect(packed.body.count < plain.body.count / 2)
            #expect(packed.headers[.eTag] != plain.headers[.eTag])
            let file = NSTemporaryDirectory() + "codemirror-\(UUID().uuidString).js.gz"
            defer { try? FileManager.default.removeItem(atPath: file) }
            try packed.body.write(to: URL(fileURLWithPath: file))
            let unpacked = try run("/bin/sh", ["-c", "gzip -dc '\(file)' | sha256sum"])
            #expect(unpacked.output.hasPrefix(Digest.sha256(plain.body)))
            let refused = try await api.request(.get, path, token: nil, headers: [.acceptEncoding: "gzip;q=0"])
            #expect(refused.headers[.contentEncoding] == nil)
        }
    }

    @Test("Unknown files are a 404 (FILE_NOT_FOUND) without a token, and no path leaves the page's own files")
    func unknownFiles() async throws {
        let server = try await TestServer()
        defer { server.cleanup() }
        try await server.run { api in
            for path in ["/web/nope.js", "/web/../Package.swift", "/web/%2E%2E/%2E%2E/Package.swift", "/web/js", "/web/"] {
                let response = try await api.request(.get, path, token: nil)
                #expect(response.status == .notFound, "\(path): \(response.status)")
                #expect(["FILE_NOT_FOUND", "NOT_FOUND"].contains(response.errorCode ?? ""), "\(path): \(response.text)")
            }
            #expect(try await api.request(.get, "/web/nope.js", token: nil).errorCode == "FILE_NOT_FOUND")
            // Everything else still needs a token.
            #expect(try await api.request(.get, "/webx", token: nil).status == .unauthorized)
        }
    }

    @Test("--web-frame-ancestor origins become the policy's frame-ancestors; others are refused by the command line")
    func frameAncestors() async throws {
        let server = try await TestServer { $0.webFrameAncestors = ["https://ide.example.com", "'self'"] }
        defer { server.cleanup() }
        try await server.run { api in
            let page = try await api.request(.get, "/", token: nil)
            #expect(page.headers[HTTPField.Name("Content-Security-Policy")!]?.hasSuffix("frame-ancestors https://ide.example.com 'self'") == true)
        }
        #expect(SignInLink.isFrameAncestor("https://ide.example.com:8443"))
        #expect(SignInLink.isFrameAncestor("https://*.example.com"))
        for bad in ["*", "https://x; script-src *", "javascript:", "'unsafe-inline'", "https://a b"] {
            #expect(!SignInLink.isFrameAncestor(bad), "\(bad)")
        }
        let refused = try run(foundryExecutable, ["serve", "--root", NSTemporaryDirectory() + "unused", "--web-frame-ancestor", "https://x; script-src *"])
        #expect(refused.status != 0)
        #expect(refused.output.contains("is not 'self' or an http(s) origin"))
    }

    @Test("The vendored libraries are the copies their VERSION files describe, with a licence")
    func vendoredCopies() throws {
        for library in ["codemirror", "xterm"] {
            let directory = Self.staticDirectory.appendingPathComponent("vendor/\(library)")
            let version = try String(contentsOf: directory.appendingPathComponent("VERSION"), encoding: .utf8)
            #expect(version.contains("from Debian"))
            let license = try String(contentsOf: directory.appendingPathComponent("LICENSE"), encoding: .utf8)
            #expect(license.contains("License: Expat"))
            let sums = version.components(separatedBy: "sha256 of the vendored files:\n")[1].split(separator: "\n")
            #expect(sums.count >= 3)
            for line in sums {
                let parts = line.split(separator: " ", maxSplits: 1)
                let file = directory.appendingPathComponent(parts[1].trimmingCharacters(in: .whitespaces))
                #expect(try Digest.sha256(Data(contentsOf: file)) == String(parts[0]), "\(file.path) differs from what scripts/vendor-web-libs copied")
            }
        }
    }
}
