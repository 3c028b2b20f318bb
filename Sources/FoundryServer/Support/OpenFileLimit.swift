#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The process's open-file limit: every socket is a descriptor, and the
/// usual soft limit (1024) is far below the 10,000 sockets a server holds.
public enum OpenFileLimit {
    /// Raises the soft `RLIMIT_NOFILE` to the hard limit; returns the soft limit now in force.
    @discardableResult
    public static func raiseToHardLimit() -> Int {
        var limit = rlimit()
        guard getrlimit(resourceNumber, &limit) == 0 else { return -1 }
        if limit.rlim_cur < limit.rlim_max {
            var raised = limit
            raised.rlim_cur = limit.rlim_max
            if setrlimit(resourceNumber, &raised) == 0 { limit = raised }
        }
        return Int(clamping: limit.rlim_cur)
    }

    /// The soft limit in force.
    public static var current: Int {
        var limit = rlimit()
        return getrlimit(resourceNumber, &limit) == 0 ? Int(clamping: limit.rlim_cur) : -1
    }

    #if canImport(Glibc)
    private static let resourceNumber = __rlimit_resource_t(RLIMIT_NOFILE.rawValue)
    #else
    private static let resourceNumber = RLIMIT_NOFILE
    #endif
}
