/// How many connections the server holds, kept below the process's
/// open-file limit so that the store, the watcher, the runs and the log
/// always find a descriptor.
///
/// Two levels: up to `soft` connections are served; between `soft` and
/// `hard` a connection is accepted only to be answered 503 `SERVER_BUSY`
/// and closed; at `hard` the server stops accepting, and further clients
/// wait in the kernel's listen backlog, holding no descriptor of ours. So
/// `accept` never meets `EMFILE`, and `limit - hard` descriptors stay free.
struct ConnectionCeiling: Equatable, Sendable {
    let soft: Int
    let hard: Int

    /// The descriptors kept for everything but connections: a tenth of the
    /// limit, at least 256 (20 I/O threads with a few files each, the
    /// watcher, the event loops, and the pipes and logs of a few dozen runs).
    static func reserve(descriptorLimit: Int) -> Int {
        max(256, descriptorLimit / 10)
    }

    /// The ceiling for `descriptorLimit` (RLIMIT_NOFILE), or for an explicit
    /// `--max-connections` (`requested`), which must leave the reserve free.
    static func derive(descriptorLimit: Int, requested: Int?) throws(Error) -> ConnectionCeiling {
        let available = descriptorLimit - reserve(descriptorLimit: descriptorLimit)
        guard let requested else {
            guard available >= 32 else { throw .tooFewDescriptors(descriptorLimit) }
            return ConnectionCeiling(soft: available - max(8, available / 16), hard: available)
        }
        let hard = requested + max(8, requested / 16)
        guard requested >= 1, hard <= available else {
            throw .tooMany(requested: requested, needs: hard + reserve(descriptorLimit: descriptorLimit), limit: descriptorLimit)
        }
        return ConnectionCeiling(soft: requested, hard: hard)
    }

    enum Error: Swift.Error, CustomStringConvertible {
        case tooFewDescriptors(Int)
        case tooMany(requested: Int, needs: Int, limit: Int)

        var description: String {
            switch self {
            case .tooFewDescriptors(let limit):
                "the open-file limit (\(limit)) leaves no room for connections: raise it (ulimit -n) to at least 512"
            case .tooMany(let requested, let needs, let limit):
                "--max-connections \(requested) needs \(needs) descriptors with the reserve for the store, but the open-file limit is \(limit): lower it or raise the limit (ulimit -n)"
            }
        }
    }
}
