import Foundation
import FoundryStore
import JWTKit

/// The identity provider's signing keys, found through OpenID Connect
/// discovery and cached.
///
/// The set is fetched on first use and again: when it has expired (the key
/// set response's `Cache-Control: max-age`), and when a token names a `kid`
/// the set lacks (a rotation), at most once per `refetchInterval`. A fetch
/// that fails keeps the last good set in use (`/health` says `stale`) and
/// is retried no sooner than `refetchInterval` later. Concurrent requests
/// share one fetch.
actor ProviderKeys {
    let configuration: ProviderConfiguration
    private let fetcher: ProviderFetcher
    private var keys: JWTKeyCollection?
    private var kids: Set<String> = []
    private var fetchedAt: Date?
    private var expiresAt = Date.distantPast
    private var lastFailure: Date?
    private var lastError: String?
    private var lastUnknownKidFetch: Date?
    private var fetches = 0
    private var inFlight: Task<Void, Never>?

    /// Algorithms the provider's tokens may use.
    static let algorithms: Set<String> = ["RS256", "ES256"]

    init(configuration: ProviderConfiguration) {
        self.configuration = configuration
        fetcher = ProviderFetcher(configuration: configuration)
    }

    nonisolated var issuer: String { configuration.issuer }

    /// The claims of `token`, signed by the provider's key `kid`.
    func verify(_ token: String, kid: String?) async throws -> FoundryClaims {
        if Date() >= expiresAt, mayRetry { await refresh() }
        guard let kid else { throw TokenRejection("a token of the identity provider must name its key (kid)") }
        if !kids.contains(kid), mayRetry, lastUnknownKidFetch.map({ Date().timeIntervalSince($0) >= configuration.refetchInterval }) ?? true {
            lastUnknownKidFetch = Date()
            await refresh()
        }
        guard let keys else { throw TokenRejection("the identity provider's keys could not be fetched: \(lastError ?? "unknown error")") }
        guard kids.contains(kid) else {
            throw TokenRejection("key '\(kid)' is not in the identity provider's key set" + (lastError.map { " (its last fetch failed: \($0))" } ?? ""))
        }
        do { return try await keys.verify(token, as: FoundryClaims.self) } catch {
            throw TokenRejection(TokenAuthority.explain(error))
        }
    }

    /// No failed fetch within the last `refetchInterval`.
    private var mayRetry: Bool {
        lastFailure.map { Date().timeIntervalSince($0) >= configuration.refetchInterval } ?? true
    }

    /// The first fetch, at start, so that `/health` tells at once whether the provider answers.
    func prefetch() async {
        if keys == nil { await refresh() }
    }

    /// Fetches the key set once, whoever else is waiting for it.
    private func refresh() async {
        if let inFlight { return await inFlight.value }
        let task = Task { await fetch() }
        inFlight = task
        await task.value
        inFlight = nil
    }

    private func fetch() async {
        fetches += 1
        do {
            let (jwks, maxAge) = try await fetcher.fetchKeySet()
            let collection = JWTKeyCollection()
            var found: Set<String> = []
            for key in jwks.keys {
                guard let kid = key.keyIdentifier?.string, key.algorithm.map({ Self.algorithms.contains($0.rawValue) }) ?? true,
                      (try? await collection.add(jwk: key, isDefault: false)) != nil
                else { continue }
                found.insert(kid)
            }
            keys = collection
            kids = found
            fetchedAt = Date()
            expiresAt = Date().addingTimeInterval(maxAge)
            lastFailure = nil
            lastError = nil
        } catch {
            lastFailure = Date()
            lastError = "\(error)"
        }
    }

    var status: ProviderStatus {
        ProviderStatus(
            issuer: configuration.issuer, state: keys == nil ? "unreachable" : (lastError == nil ? "ok" : "stale"),
            keys: kids.count, kids: kids.sorted(), fetchedAt: fetchedAt.map(Timestamp.string), 
            expiresAt: keys == nil ? nil : Timestamp.string(from: expiresAt), lastError: lastError, fetches: fetches
        )
    }
}
