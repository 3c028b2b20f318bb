import FoundryServer
import Glibc
import Testing

@Suite struct OpenFileLimitTests {
    /// `foundry serve` raises its soft descriptor limit to the hard one: each socket is a descriptor.
    @Test func theSoftLimitIsRaisedToTheHardLimit() throws {
        var limit = rlimit()
        try #require(getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0)
        try #require(limit.rlim_max > 64 && limit.rlim_max != rlim_t.max)
        var lowered = limit
        lowered.rlim_cur = limit.rlim_max - 1
        try #require(setrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &lowered) == 0)
        #expect(OpenFileLimit.current == Int(limit.rlim_max) - 1)
        #expect(OpenFileLimit.raiseToHardLimit() == Int(limit.rlim_max))
        #expect(OpenFileLimit.current == Int(limit.rlim_max))
    }
}
