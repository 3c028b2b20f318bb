#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension StoreError {
    /// The error for a failed system call, reading `errno`.
    ///
    /// Running out of space (ENOSPC, EDQUOT, EFBIG) becomes `storageFull` so
    /// that the server can answer 507 instead of a generic 500.
    static func system(_ operation: String, _ path: String, errno code: Int32 = errno) -> StoreError {
        switch code {
        case ENOSPC, EDQUOT, EFBIG: return .storageFull(path: path)
        default: return .io(path: path, operation: operation, errno: code)
        }
    }
}
