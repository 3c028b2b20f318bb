import CZlib
import Foundation

/// gzip (RFC 1952) through the system zlib, with a fixed header: no file
/// name, modification time 0, so the output is a function of the input
/// (for one zlib build; zlib's deflate output has been stable across
/// releases, but is not promised to be).
public enum Gzip {
    /// `data` compressed into one gzip member, by default at level 6, the
    /// level of `gzip` and `tar czf`: level 9 took 1.6× as long for archives
    /// a few per cent smaller (docs/benchmarks.md).
    public static func compress(_ data: Data, level: Int32 = 6) throws -> Data {
        var stream = z_stream()
        // windowBits 15 + 16: a gzip wrapper whose header zlib fills with
        // mtime 0, no name, no comment (deflateSetHeader is never called).
        let status = deflateInit2_(&stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else { throw GzipError(code: status, stage: "deflateInit2") }
        defer { deflateEnd(&stream) }
        var output = Data()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        try data.withUnsafeBytes { (input: UnsafeRawBufferPointer) in
            stream.next_in = UnsafeMutablePointer(mutating: input.bindMemory(to: Bytef.self).baseAddress)
            stream.avail_in = uInt(input.count)
            var result: Int32 = Z_OK
            repeat {
                result = chunk.withUnsafeMutableBufferPointer { buffer in
                    stream.next_out = buffer.baseAddress
                    stream.avail_out = uInt(buffer.count)
                    return deflate(&stream, Z_FINISH)
                }
                guard result == Z_OK || result == Z_STREAM_END || result == Z_BUF_ERROR else {
                    throw GzipError(code: result, stage: "deflate")
                }
                output.append(contentsOf: chunk[0..<(chunk.count - Int(stream.avail_out))])
            } while result != Z_STREAM_END
        }
        return output
    }
}

/// zlib refused: its return code and the call that returned it.
public struct GzipError: Error, Sendable, CustomStringConvertible {
    public var code: Int32
    public var stage: String

    public var description: String { "\(stage) failed with zlib code \(code)" }
}
