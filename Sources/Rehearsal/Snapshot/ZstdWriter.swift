import CZstd
import Foundation
import Crypto

/// Compresses a byte stream into a zstd file with libzstd's streaming API, on every core
/// (libzstd's own worker threads), hashing the compressed bytes as they are written so the
/// snapshot's SHA-256 is known the moment the file is complete — no second pass over a file
/// that may be hundreds of gigabytes.
final class ZstdWriter {
    let path: String
    /// Worker threads libzstd compresses with; 0 when the library is single-threaded.
    let workers: Int
    private let context: OpaquePointer
    private let descriptor: Int32
    private let outputCapacity: Int
    private let outputBuffer: UnsafeMutableRawPointer
    private var hasher = SHA256()
    private var finished = false
    /// Compressed bytes written to the file so far.
    private(set) var bytesWritten: UInt64 = 0
    /// Uncompressed bytes accepted so far.
    private(set) var bytesIn: UInt64 = 0

    /// Creates (or truncates) `path`. `workers` nil means one per core; if libzstd was built
    /// without threads, compression falls back to the calling thread.
    init(path: String, level: Int = 10, workers: Int? = nil) throws {
        self.path = path
        guard let context = ZSTD_createCCtx() else {
            throw SnapshotCreationError.compressionFailed(path: path, reason: "libzstd could not allocate a compression context")
        }
        let levelResult = ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, Int32(clamping: level))
        if ZSTD_isError(levelResult) != 0 {
            let reason = String(cString: ZSTD_getErrorName(levelResult))
            ZSTD_freeCCtx(context)
            throw SnapshotCreationError.compressionFailed(path: path, reason: "compression level \(level): \(reason)")
        }
        // A content checksum lets every reader (zstd -t, DecompressingReader) detect corruption.
        _ = ZSTD_CCtx_setParameter(context, ZSTD_c_checksumFlag, 1)
        var threads = max(0, workers ?? ProcessInfo.processInfo.activeProcessorCount)
        if threads > 0, ZSTD_isError(ZSTD_CCtx_setParameter(context, ZSTD_c_nbWorkers, Int32(clamping: threads))) != 0 {
            _ = ZSTD_CCtx_setParameter(context, ZSTD_c_nbWorkers, 0)
            threads = 0
        }
        let descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        if descriptor < 0 {
            let reason = String(cString: strerror(errno))
            ZSTD_freeCCtx(context)
            throw SnapshotCreationError.outputNotWritable(path: path, reason: reason)
        }
        self.context = context
        self.descriptor = descriptor
        self.workers = threads
        outputCapacity = ZSTD_CStreamOutSize()
        outputBuffer = UnsafeMutableRawPointer.allocate(byteCount: outputCapacity, alignment: 16)
    }

    deinit {
        ZSTD_freeCCtx(context)
        close(descriptor)
        outputBuffer.deallocate()
    }

    /// Compresses `bytes`; compressed output is written to the file as libzstd produces it.
    func write(_ bytes: UnsafeRawBufferPointer) throws {
        precondition(!finished, "ZstdWriter.write after finish")
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        bytesIn += UInt64(bytes.count)
        var input = ZSTD_inBuffer(src: base, size: bytes.count, pos: 0)
        repeat {
            _ = try step(&input, ZSTD_e_continue)
        } while input.pos < input.size
    }

    func write(_ bytes: [UInt8]) throws {
        try bytes.withUnsafeBytes { try write($0) }
    }

    /// Ends the zstd frame and syncs the file to disk (the descriptor is closed on release).
    /// Returns the compressed size and the hex SHA-256 of the file's bytes.
    func finish() throws -> (bytes: UInt64, sha256: String) {
        precondition(!finished, "ZstdWriter.finish called twice")
        var input = ZSTD_inBuffer(src: nil, size: 0, pos: 0)
        while try step(&input, ZSTD_e_end) != 0 {}
        finished = true
        if fsync(descriptor) != 0, errno != EINVAL, errno != EROFS {
            throw SnapshotCreationError.outputNotWritable(path: path, reason: String(cString: strerror(errno)))
        }
        return (bytesWritten, Hex.string(hasher.finalize()))
    }

    /// One `ZSTD_compressStream2` call and the write of what it produced; returns libzstd's
    /// "bytes still to flush" hint (0 once an `ZSTD_e_end` frame is complete).
    private func step(_ input: inout ZSTD_inBuffer, _ directive: ZSTD_EndDirective) throws -> Int {
        var output = ZSTD_outBuffer(dst: outputBuffer, size: outputCapacity, pos: 0)
        let result = ZSTD_compressStream2(context, &output, &input, directive)
        if ZSTD_isError(result) != 0 {
            throw SnapshotCreationError.compressionFailed(path: path, reason: String(cString: ZSTD_getErrorName(result)))
        }
        if output.pos > 0 {
            try writeAll(UnsafeRawBufferPointer(start: outputBuffer, count: output.pos))
        }
        return result
    }

    private func writeAll(_ bytes: UnsafeRawBufferPointer) throws {
        hasher.update(bufferPointer: bytes)
        var offset = 0
        while offset < bytes.count {
            let written = posixWrite(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw SnapshotCreationError.outputNotWritable(path: path, reason: String(cString: strerror(errno)))
            }
            offset += written
        }
        bytesWritten += UInt64(bytes.count)
    }
}

/// `write(2)`, reachable from inside a type that has its own `write` method.
private func posixWrite(_ descriptor: Int32, _ pointer: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, pointer, count)
}
