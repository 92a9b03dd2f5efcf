import CZlib

/// zlib's streaming inflate, for gzip files (`pg_dump | gzip`): members one after another
/// (as `cat a.gz b.gz` or pigz write them) are one stream. The only place that sees zlib's C API.
final class GzipInflater {
    private let stream: UnsafeMutablePointer<z_stream>
    /// True between a member's end and the next member's first byte.
    private(set) var atMemberEnd = false
    /// Input bytes given but not yet consumed.
    var pendingInput: Int { Int(stream.pointee.avail_in) }

    enum Failure: Error {
        case corrupt(String)
    }

    init() throws {
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 32: the largest window, and a gzip or zlib header detected automatically.
        let code = inflateInit2_(stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard code == Z_OK else {
            stream.deallocate()
            throw Failure.corrupt("zlib could not start (code \(code))")
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deallocate()
    }

    /// Inflates from `input[position...]` into `output`; returns the bytes produced and
    /// advances `position` past what was consumed.
    func inflate(_ input: [UInt8], position: inout Int, into output: inout [UInt8]) throws -> Int {
        if atMemberEnd {
            guard position < input.count else { return 0 }
            inflateReset(stream)
            atMemberEnd = false
        }
        let capacity = output.count
        let available = input.count - position
        var produced = 0
        var code: Int32 = Z_OK
        input.withUnsafeBufferPointer { inBytes in
            output.withUnsafeMutableBufferPointer { outBytes in
                stream.pointee.next_in = inBytes.baseAddress.map { UnsafeMutablePointer(mutating: $0 + position) }
                stream.pointee.avail_in = UInt32(available)
                stream.pointee.next_out = outBytes.baseAddress
                stream.pointee.avail_out = UInt32(capacity)
                code = CZlib.inflate(stream, Z_NO_FLUSH)
                produced = capacity - Int(stream.pointee.avail_out)
                position += available - Int(stream.pointee.avail_in)
                stream.pointee.next_in = nil
                stream.pointee.next_out = nil
            }
        }
        switch code {
        case Z_OK, Z_BUF_ERROR:
            return produced
        case Z_STREAM_END:
            atMemberEnd = true
            return produced
        default:
            let message = stream.pointee.msg.map { String(cString: $0) } ?? "zlib error \(code)"
            throw Failure.corrupt(message)
        }
    }
}
