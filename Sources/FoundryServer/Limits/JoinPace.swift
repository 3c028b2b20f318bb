/// How fast socket joins and leaves get through while they queue: the
/// basis of a join's expected wait (`JoinQueue`).
///
/// While turns are waiting, the time between two consecutive ends of turns
/// is the queue's real pace (it counts the turns running side by side and
/// the disk they share); a moving average of it is kept. Before the queue
/// was ever busy, the pace is reckoned from how long a turn takes, divided
/// by the turns that run at once.
struct JoinPace: Sendable {
    let permits: Int
    /// A moving average of how long a turn takes, in seconds.
    private var turnSeconds = 0.005
    /// A moving average of the seconds between two ends of turns while the queue was busy.
    private var busyInterval: Double?
    private var lastBusyEnd: ContinuousClock.Instant?

    init(permits: Int) {
        self.permits = permits
    }

    /// Seconds per turn at the current pace.
    var secondsPerTurn: Double {
        busyInterval ?? turnSeconds / Double(permits)
    }

    /// A turn that took `duration` ended at `now`, with others waiting (`busy`) or not.
    mutating func turnEnded(after duration: Duration, at now: ContinuousClock.Instant, busy: Bool) {
        turnSeconds = Self.average(turnSeconds, duration.seconds)
        guard busy else { return lastBusyEnd = nil }
        if let lastBusyEnd {
            let interval = (now - lastBusyEnd).seconds
            busyInterval = busyInterval.map { Self.average($0, interval) } ?? interval
        }
        lastBusyEnd = now
    }

    private static func average(_ old: Double, _ new: Double) -> Double {
        0.9 * old + 0.1 * new
    }
}

extension Duration {
    var seconds: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
