import Foundation
import FoundryStore
import Hummingbird

extension FoundryAPI {
    /// `GET /health` (no token needed): the server is up and its root is writable.
    func addHealthRoutes(to router: Router<FoundryRequestContext>) {
        router.get("/health") { _, _ -> Response in
            let root = workspace.root
            let writable = try await io.run { () -> Bool in
                let probe = root + "/.tmp-health-\(getpid())"
                defer { unlink(probe) }
                return FileManager.default.createFile(atPath: probe, contents: Data("ok".utf8))
            }
            return try JSON.response(
                ["status": writable ? "ok" : "degraded", "root": root, "root_writable": String(writable)],
                status: writable ? .ok : .serviceUnavailable
            )
        }
    }
}
