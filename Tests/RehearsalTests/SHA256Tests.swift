import Foundation
import XCTest
@testable import Rehearsal

/// Snapshot hashes are swift-crypto's SHA-256, written as sha256sum writes them.
final class SHA256Tests: XCTestCase {
    func testHexIsLowerCaseTwoDigitsPerByte() {
        XCTAssertEqual(Hex.string([0x00, 0x0f, 0xa5, 0xff]), "000fa5ff")
        XCTAssertEqual(Hex.string([UInt8]()), "")
    }

    func testASnapshotsHashIsTheFilesSHA256() throws {
        let path = NSTemporaryDirectory() + "rehearse-sha-\(UUID().uuidString).sql"
        defer { try? FileManager.default.removeItem(atPath: path) }
        // Large enough for several reads, with a length that is not a multiple of a block.
        let text = String(repeating: "SELECT 1;\n", count: 300_007)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        let sha256sum = Process()
        sha256sum.executableURL = URL(fileURLWithPath: "/usr/bin/sha256sum")
        sha256sum.arguments = [path]
        let pipe = Pipe()
        sha256sum.standardOutput = pipe
        try sha256sum.run()
        let output = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        sha256sum.waitUntilExit()
        XCTAssertEqual(try Snapshot.open(path).sha256, String(output.prefix(64)))
    }
}
