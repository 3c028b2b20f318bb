import NIOCore
import Synchronization

/// The connections held now, in all and per client address: each accepted
/// connection is admitted here first, and released when it closes.
final class ConnectionLedger: Sendable {
    let ceiling: ConnectionCeiling
    /// `--max-connections-per-address` (0: no limit).
    let perAddress: Int
    private let state = Mutex(State())

    private struct State {
        var total = 0
        var addresses = Tally<String>()
    }

    init(ceiling: ConnectionCeiling, perAddress: Int) {
        self.ceiling = ceiling
        self.perAddress = perAddress
    }

    /// Counts a connection from `address`, or says why it is refused.
    func admit(_ address: String) -> Refusal? {
        state.withLock { state in
            guard state.total < ceiling.soft else { return .serverBusy(limit: ceiling.soft) }
            guard state.addresses.allows(address, limit: perAddress) else { return .tooManyConnections(address: address, limit: perAddress) }
            state.total += 1
            state.addresses.add(address)
            return nil
        }
    }

    func release(_ address: String) {
        state.withLock { state in
            state.total -= 1
            state.addresses.remove(address)
        }
    }

    /// Connections held now.
    var open: Int { state.withLock { $0.total } }

    /// The key a client is counted under: its IP address, or for IPv6 its
    /// /64 (one subscriber's network, which hands out addresses freely;
    /// an IPv4 address mapped into IPv6 stays itself).
    static func key(for address: SocketAddress?) -> String {
        guard let address else { return "local" }
        if case .v6(let v6) = address {
            let bytes = withUnsafeBytes(of: v6.address.sin6_addr) { Array($0) }
            let mapped = bytes[0..<10].allSatisfy { $0 == 0 } && bytes[10] == 0xff && bytes[11] == 0xff
            if !mapped {
                return stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }.joined(separator: ":") + "::/64"
            }
        }
        return address.ipAddress ?? "local"
    }
}
