import Foundation
import XCTest
@testable import Rehearsal

final class ZstdWriterTests: XCTestCase {
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
