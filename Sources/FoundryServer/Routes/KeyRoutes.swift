import FoundryStore
import Hummingbird

extension FoundryAPI {
    /// `GET /.well-known/foundry-keys.json` (no token): the server's public
    /// signing keys as a JWKS, every key that has signed on this root.
    func addKeyRoutes(to router: Router<FoundryRequestContext>) {
        router.get("/.well-known/foundry-keys.json") { _, _ -> Response in
            guard let notary = workspace.notary else { throw StoreError.signingUnavailable }
            return Response(
                status: .ok, headers: [.contentType: "application/jwk-set+json", .cacheControl: "max-age=300"],
                body: .init(byteBuffer: ByteBuffer(bytes: notary.keys.jwks))
            )
        }
    }
}
