import CZstd
import Foundation
import Crypto

/// Reads a snapshot file as a stream of uncompressed bytes: zstd frames (detected by their
/// magic number) are decompressed on the fly with libzstd, anything else passes through.
/// Memory stays bounded whatever the snapshot's size.
final class DecompressingReader {
    let path: String
    private let file: FileHandle
    private let stream: OpaquePointer?
    private var input: [UInt8] = []
    private var inputPosition = 0
    private var lastZstdResult = 0
    private var endOfFile = false
    /// Compressed bytes consumed so far, for progress and error offsets.
    private(set) var compressedOffset: UInt64 = 0
    let isCompressed: Bool
    let fileSize: UInt64
    /// Hashes the file's bytes as they are read, for one-pass readers (inspect).
    private var hasher: SHA256?

    init(path: String, hashing: Bool = false) throws {
        if hashing { hasher = SHA256() }
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw SnapshotError.unreadable(path: path, reason: "no such file")
        }
        if isDirectory.boolValue {
            throw SnapshotError.unreadable(path: path, reason: "it is a directory, not a .sql.zst or .sql file")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw SnapshotError.unreadable(path: path, reason: "permission denied")
        }
        file = handle
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        fileSize = (attributes?[.size] as? NSNumber)?.uint64Value ?? 0
        if fileSize == 0 { throw SnapshotError.empty(path: path) }
        let head = (try? handle.read(upToCount: 4)) ?? Data()
        try? handle.seek(toOffset: 0)
        isCompressed = [UInt8](head) == [0x28, 0xB5, 0x2F, 0xFD]
        if isCompressed {
            stream = ZSTD_createDStream()
            ZSTD_initDStream(stream)
        } else {
            stream = nil
        }
    }

    deinit {
        if let stream { ZSTD_freeDStream(stream) }
        try? file.close()
    }

    /// The next piece of uncompressed data, or nil at the end.
    func next() throws -> [UInt8]? {
        guard isCompressed, let stream else {
            let data = try readInput(count: 1 << 20)
            return data.isEmpty ? nil : data
        }
        let outCapacity = ZSTD_DStreamOutSize()
        var output = [UInt8](repeating: 0, count: outCapacity)
        while true {
            if inputPosition >= input.count {
                if endOfFile { break }
                input = try readInput(count: ZSTD_DStreamInSize())
                inputPosition = 0
                if input.isEmpty {
                    endOfFile = true
                    break
                }
            }
            var produced = 0
            let consumedBefore = inputPosition
            let result = input.withUnsafeBytes { inBytes in
                output.withUnsafeMutableBytes { outBytes in
                    var inBuffer = ZSTD_inBuffer(src: inBytes.baseAddress, size: input.count, pos: inputPosition)
                    var outBuffer = ZSTD_outBuffer(dst: outBytes.baseAddress, size: outCapacity, pos: 0)
                    let code = ZSTD_decompressStream(stream, &outBuffer, &inBuffer)
                    inputPosition = inBuffer.pos
                    produced = outBuffer.pos
                    return code
                }
            }
            if ZSTD_isError(result) != 0 {
                let reason = String(cString: ZSTD_getErrorName(result))
                throw SnapshotError.corrupt(path: path, offset: compressedOffset - UInt64(input.count - consumedBefore), reason: reason)
            }
            lastZstdResult = result
            if produced > 0 {
                return Array(output[0..<produced])
            }
        }
        if lastZstdResult != 0 {
            throw SnapshotError.truncated(path: path, offset: compressedOffset)
        }
        return nil
    }

    /// The SHA-256 of the whole file, once `next` has returned nil (reader made with `hashing`).
    func sha256() -> String? {
        guard var finished = hasher, compressedOffset == fileSize else { return nil }
        return Hex.string(finished.finalize())
    }

    private func readInput(count: Int) throws -> [UInt8] {
        do {
            let data = try file.read(upToCount: count) ?? Data()
            compressedOffset += UInt64(data.count)
            if hasher != nil { data.withUnsafeBytes { hasher!.update(bufferPointer: $0) } }
            return [UInt8](data)
        } catch {
            throw SnapshotError.unreadable(path: path, reason: error.localizedDescription)
        }
    }
}
