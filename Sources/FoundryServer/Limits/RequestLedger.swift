import Synchronization

/// The HTTP requests of each user being served now (`--max-requests-per-user`).
final class RequestLedger: Sendable {
    let perUser: Int
    private let users = Mutex(Tally<String>())

    init(perUser: Int) {
        self.perUser = perUser
    }

    /// Counts a request of `user`, or says why it is refused; `leave` when answered.
    func enter(_ user: String) -> Refusal? {
        users.withLock { users in
            guard users.allows(user, limit: perUser) else { return .tooManyRequests(user: user, limit: perUser) }
            users.add(user)
            return nil
        }
    }

    func leave(_ user: String) {
        users.withLock { $0.remove(user) }
    }
}
