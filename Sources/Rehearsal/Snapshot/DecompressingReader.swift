import CZstd
import Foundation
import Crypto

/// Reads a snapshot as a stream of plain SQL, whatever its format (`SnapshotFormat`): zstd
/// frames are decompressed with libzstd and gzip members with zlib, pg_dump archives come
/// through `pg_restore` (`ArchiveStream`), plain SQL passes through. Memory stays bounded
/// whatever the snapshot's size.
final class DecompressingReader {
    let path: String
    let format: SnapshotFormat
    private let file: FileHandle?
    private let zstd: OpaquePointer?
    private let gzip: GzipInflater?
    private let archive: ArchiveStream?
    private var input: [UInt8] = []
    private var inputPosition = 0
    private var lastZstdResult = 0
    private var endOfFile = false
    /// Compressed bytes consumed so far, for progress and error offsets (for an archive, how
    /// far pg_restore has read).
    private var fileOffset: UInt64 = 0
    var compressedOffset: UInt64 { archive?.inputOffset ?? fileOffset }
    var isCompressed: Bool { format.isCompressed }
    /// The file's size; a directory archive's is that of all its files.
    let fileSize: UInt64
    /// Hashes the file's bytes as they are read, for one-pass readers (inspect); not for
    /// archives, which pg_restore reads.
    private var hasher: SHA256?

    init(path: String, format known: SnapshotFormat? = nil, hashing: Bool = false) throws {
        self.path = path
        format = try known ?? SnapshotFormat.detect(path)
        fileSize = Snapshot.size(of: path, format: format)
        if fileSize == 0 { throw SnapshotError.empty(path: path) }
        if format.isArchive {
            file = nil
            zstd = nil
            gzip = nil
            archive = try ArchiveStream(path: path, inputSize: fileSize)
            return
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SnapshotError.unreadable(path: path, reason: "permission denied")
        }
        if hashing { hasher = SHA256() }
        file = handle
        archive = nil
        zstd = format == .zstd ? ZSTD_createDStream() : nil
        if let zstd { ZSTD_initDStream(zstd) }
        gzip = format == .gzip ? try Self.inflater(path: path) : nil
    }

    private static func inflater(path: String) throws -> GzipInflater {
        do {
            return try GzipInflater()
        } catch {
            throw SnapshotError.corrupt(path: path, offset: 0, reason: "\(error)")
        }
    }

    deinit {
        if let zstd { ZSTD_freeDStream(zstd) }
        try? file?.close()
    }

    /// The next piece of uncompressed data, or nil at the end.
    func next() throws -> [UInt8]? {
        if let archive { return try archive.next() }
        if let gzip { return try inflate(gzip) }
        guard let zstd else {
            let data = try readInput(count: 1 << 20)
            return data.isEmpty ? nil : data
        }
        let outCapacity = ZSTD_DStreamOutSize()
        var output = [UInt8](repeating: 0, count: outCapacity)
        while true {
            guard try refill() else { break }
            var produced = 0
            let consumedBefore = inputPosition
            let result = input.withUnsafeBytes { inBytes in
                output.withUnsafeMutableBytes { outBytes in
                    var inBuffer = ZSTD_inBuffer(src: inBytes.baseAddress, size: input.count, pos: inputPosition)
                    var outBuffer = ZSTD_outBuffer(dst: outBytes.baseAddress, size: outCapacity, pos: 0)
                    let code = ZSTD_decompressStream(zstd, &outBuffer, &inBuffer)
                    inputPosition = inBuffer.pos
                    produced = outBuffer.pos
                    return code
                }
            }
            if ZSTD_isError(result) != 0 {
                let reason = String(cString: ZSTD_getErrorName(result))
                throw SnapshotError.corrupt(path: path, offset: fileOffset - UInt64(input.count - consumedBefore), reason: reason)
            }
            lastZstdResult = result
            if produced > 0 {
                return Array(output[0..<produced])
            }
        }
        if lastZstdResult != 0 {
            throw SnapshotError.truncated(path: path, offset: fileOffset, format: format)
        }
        return nil
    }

    /// Reads more of the file once the input is used up; false at its end.
    private func refill() throws -> Bool {
        if inputPosition < input.count { return true }
        if endOfFile { return false }
        input = try readInput(count: zstd != nil ? ZSTD_DStreamInSize() : 1 << 18)
        inputPosition = 0
        if input.isEmpty { endOfFile = true }
        return !input.isEmpty
    }

    private func inflate(_ gzip: GzipInflater) throws -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: 1 << 18)
        while true {
            let more = try refill()
            if !more && gzip.atMemberEnd { return nil }
            let consumedBefore = inputPosition
            let produced: Int
            do {
                produced = try gzip.inflate(input, position: &inputPosition, into: &output)
            } catch {
                throw SnapshotError.corrupt(path: path, offset: fileOffset - UInt64(input.count - consumedBefore), reason: "\(error)")
            }
            if produced > 0 { return Array(output[0..<produced]) }
            if !more { throw SnapshotError.truncated(path: path, offset: fileOffset, format: format) }
        }
    }

    /// The SHA-256 of the whole file, once `next` has returned nil (reader made with `hashing`).
    func sha256() -> String? {
        guard var finished = hasher, fileOffset == fileSize else { return nil }
        return Hex.string(finished.finalize())
    }

    private func readInput(count: Int) throws -> [UInt8] {
        do {
            let data = try file?.read(upToCount: count) ?? Data()
            fileOffset += UInt64(data.count)
            if hasher != nil { data.withUnsafeBytes { hasher!.update(bufferPointer: $0) } }
            return [UInt8](data)
        } catch {
            throw SnapshotError.unreadable(path: path, reason: error.localizedDescription)
        }
    }
}
