import Foundation
import XCTest
@testable import Rehearsal

/// zstd files for the compression tests: dump-like text, written with `ZstdWriter`.
extension XCTestCase {
    /// A path in a fresh temporary directory, removed when the test ends.
    func temporaryPath(_ name: String) throws -> String {
        let directory = NSTemporaryDirectory() + "rehearse-zstd-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        return directory + "/" + name
    }

    /// Dump-like text: COPY lines with varying content, `megabytes` long.
    func generatedText(megabytes: Int) -> [UInt8] {
        var text: [UInt8] = []
        text.reserveCapacity(megabytes << 20 + 200)
        var row = 0
        while text.count < megabytes << 20 {
            let padding = String(repeating: "x", count: row % 37)
            text.append(contentsOf: "\(row)\tuser\(row &* 7919 % 100_003)@example.com\t\(padding)\t\\N\n".utf8)
            row += 1
        }
        return text
    }

    func decompressed(_ path: String) throws -> [UInt8] {
        let reader = try DecompressingReader(path: path)
        var all: [UInt8] = []
        while let piece = try reader.next() { all.append(contentsOf: piece) }
        return all
    }

    /// Writes `input` in pieces of awkward sizes and finishes.
    func compress(_ input: [UInt8], to path: String, workers: Int? = nil) throws -> (writer: ZstdWriter, bytes: UInt64, sha256: String) {
        let writer = try ZstdWriter(path: path, level: 3, workers: workers)
        let sizes = [1, 4095, 65_536, 1 << 20, 17, 300_000]
        var offset = 0
        var turn = 0
        while offset < input.count {
            let count = min(sizes[turn % sizes.count], input.count - offset)
            try input[offset..<(offset + count)].withUnsafeBytes { try writer.write($0) }
            offset += count
            turn += 1
        }
        let (bytes, sha256) = try writer.finish()
        return (writer, bytes, sha256)
    }
}
