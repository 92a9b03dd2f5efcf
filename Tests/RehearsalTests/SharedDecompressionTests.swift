import Foundation
import XCTest
@testable import Rehearsal
@testable import PostgresClient

final class SharedDecompressionTests: XCTestCase {
    private static func readAll(_ reader: SharedDecompression.Reader) throws -> [UInt8] {
        var all: [UInt8] = []
        while let piece = try reader.next() { all.append(contentsOf: piece) }
        return all
    }

    func testReadersOnOneDecompressionEachGetTheWholeStream() throws {
        let input = generatedText(megabytes: 3)
        let path = try temporaryPath("data.sql.zst")
        _ = try compress(input, to: path)
        let shared = try SharedDecompression(path: path, readers: 3)
        let outputs = LockedBox<[Int: [UInt8]]>([:])
        DispatchQueue.concurrentPerform(iterations: 3) { index in
            let bytes = try? Self.readAll(shared.reader(index))
            outputs.withValue { $0[index] = bytes }
        }
        for index in 0..<3 { XCTAssertTrue(outputs.value[index] == input, "reader \(index)") }
        XCTAssertEqual(shared.uncompressedBytes, UInt64(input.count), "decompressed once, not once per reader")
        XCTAssertEqual(shared.detachedReaders, 0)
    }

    func testAReaderLeftTooFarBehindGoesOnAloneFromWhereItWas() throws {
        let input = generatedText(megabytes: 3)
        let path = try temporaryPath("data.sql.zst")
        _ = try compress(input, to: path)
        let shared = try SharedDecompression(path: path, readers: 2, window: 1 << 20)
        let slow = shared.reader(0), fast = shared.reader(1)
        var slowBytes = try XCTUnwrap(try slow.next())
        slowBytes += try XCTUnwrap(try slow.next())
        XCTAssertTrue(try Self.readAll(fast) == input)
        XCTAssertEqual(shared.detachedReaders, 1, "more than the window apart")
        slowBytes += try Self.readAll(slow)
        XCTAssertTrue(slowBytes == input, "the detached reader continues exactly where it was")
        XCTAssertGreaterThan(slow.compressedOffset, 0)
    }

    func testACorruptSnapshotFailsEveryReader() throws {
        let path = try temporaryPath("data.sql.zst")
        _ = try compress(generatedText(megabytes: 2), to: path)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        for offset in stride(from: bytes.count / 2, to: bytes.count / 2 + 64, by: 1) { bytes[offset] ^= 0xFF }
        try bytes.write(to: URL(fileURLWithPath: path))
        let shared = try SharedDecompression(path: path, readers: 2)
        for index in 0..<2 {
            XCTAssertThrowsError(try Self.readAll(shared.reader(index))) { error in
                guard case .corrupt? = error as? SnapshotError else { return XCTFail("\(error)") }
            }
        }
    }
}
