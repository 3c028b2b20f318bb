import Synchronization

/// The WebSockets held now per user and per session: a socket is admitted
/// here once its token is verified, and released when its channel closes.
final class SocketLedger: Sendable {
    /// `--max-sockets-per-user`, `--max-sockets-per-session` (0: no limit).
    let perUser: Int
    let perSession: Int
    private let state = Mutex(State())

    private struct Session: Hashable, Sendable {
        var user: String
        var session: String
    }

    private struct State {
        var users = Tally<String>()
        var sessions = Tally<Session>()
    }

    init(perUser: Int, perSession: Int) {
        self.perUser = perUser
        self.perSession = perSession
    }

    /// Counts a socket of `user` in `session`, or says why it is refused.
    func admit(user: String, session: String) -> Refusal? {
        let key = Session(user: user, session: session)
        return state.withLock { state in
            guard state.users.allows(user, limit: perUser) else { return .tooManySockets(user: user, limit: perUser) }
            guard state.sessions.allows(key, limit: perSession) else { return .tooManySessionSockets(session: session, limit: perSession) }
            state.users.add(user)
            state.sessions.add(key)
            return nil
        }
    }

    func release(user: String, session: String) {
        state.withLock { state in
            state.users.remove(user)
            state.sessions.remove(Session(user: user, session: session))
        }
    }
}
