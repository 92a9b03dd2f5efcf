import Foundation
import XCTest
@testable import Rehearsal

final class ZstdWriterTests: XCTestCase {
    /// A path in a fresh temporary directory, removed when the test ends.
    private func temporaryPath(_ name: String) throws -> String {
        let directory = NSTemporaryDirectory() + "rehearse-zstd-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(atPath: directory) }
        return directory + "/" + name
    }

    /// Dump-like text: COPY lines with varying content, `megabytes` long.
    private func generatedText(megabytes: Int) -> [UInt8] {
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

    private func decompressed(_ path: String) throws -> [UInt8] {
        let reader = try DecompressingReader(path: path)
        var all: [UInt8] = []
        while let piece = try reader.next() { all.append(contentsOf: piece) }
        return all
    }

    /// Writes `input` in pieces of awkward sizes and finishes.
    private func compress(_ input: [UInt8], to path: String, workers: Int? = nil) throws -> (writer: ZstdWriter, bytes: UInt64, sha256: String) {
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

    func testCompressedFileDecompressesToTheSameBytes() throws {
        let input = generatedText(megabytes: 4)
        let path = try temporaryPath("data.sql.zst")
        let (writer, bytes, _) = try compress(input, to: path)

        let output = try decompressed(path)
        XCTAssertEqual(output.count, input.count)
        XCTAssertTrue(output == input, "decompressed bytes differ from the input")
        XCTAssertEqual(writer.bytesIn, UInt64(input.count))
        XCTAssertEqual(writer.bytesWritten, bytes)
        XCTAssertLessThan(bytes, UInt64(input.count / 3), "dump-like text compresses well")
    }

    func testSHA256IsTheFilesAsSnapshotOpenComputesIt() throws {
        let input = generatedText(megabytes: 3)
        let path = try temporaryPath("data.sql.zst")
        let (_, bytes, sha256) = try compress(input, to: path)

        let snapshot = try Snapshot.open(path)
        XCTAssertTrue(snapshot.compressed)
        XCTAssertEqual(snapshot.bytes, bytes)
        XCTAssertEqual(snapshot.sha256, sha256)
    }

    func testSingleAndMultiThreadedCompressionRoundTrip() throws {
        let input = generatedText(megabytes: 2)
        for workers in [0, 2] {
            let path = try temporaryPath("data-\(workers).sql.zst")
            let (writer, _, _) = try compress(input, to: path, workers: workers)
            XCTAssertTrue(try decompressed(path) == input, "\(workers) workers")
            if workers == 0 { XCTAssertEqual(writer.workers, 0) }
        }
    }

    func testEmptyInputIsAValidEmptyFrame() throws {
        let path = try temporaryPath("empty.sql.zst")
        let writer = try ZstdWriter(path: path, level: 10)
        let (bytes, sha256) = try writer.finish()
        XCTAssertGreaterThan(bytes, 0)
        XCTAssertEqual(try decompressed(path), [])
        XCTAssertEqual(try Snapshot.open(path).sha256, sha256)
    }

    func testUnwritablePathIsAnOutputError() {
        let path = "/nonexistent-rehearse-\(UUID().uuidString)/snapshot.sql.zst"
        XCTAssertThrowsError(try ZstdWriter(path: path)) { error in
            guard case .outputNotWritable(let failed, let reason)? = error as? SnapshotCreationError else { return XCTFail("\(error)") }
            XCTAssertEqual(failed, path)
            XCTAssertFalse(reason.isEmpty)
            XCTAssertTrue("\(error)".contains("choose a writable --out path"))
        }
    }
}
