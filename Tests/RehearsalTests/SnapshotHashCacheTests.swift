import Foundation
import XCTest
@testable import Rehearsal

final class SnapshotHashCacheTests: XCTestCase {
    private var directory = ""

    override func setUpWithError() throws {
        directory = NSTemporaryDirectory() + "rehearse-hashes-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    }

    override func tearDownWithError() throws {
        try? FileManager.default.removeItem(atPath: directory)
    }

    private func writeDump(_ text: String, to path: String) throws {
        try ("-- PostgreSQL database dump\n" + text).write(toFile: path, atomically: false, encoding: .utf8)
    }

    func testAnUnchangedFileIsNotHashedAgain() throws {
        let path = directory + "/a.sql"
        try writeDump("SELECT 1;\n", to: path)
        let cache = SnapshotHashCache(directory: directory)
        let first = try Snapshot.open(path, hashCache: cache)
        XCTAssertEqual(first, try Snapshot.open(path), "the cached run hashes like an uncached one")
        XCTAssertEqual(cache.hash(of: path), first.sha256)

        // Plant a different hash for the same file identity: a second open must take it from
        // the cache rather than read the file.
        let identity = try XCTUnwrap(FileIdentity(path: path))
        cache.remember(String(repeating: "0", count: 64), of: path, as: identity)
        XCTAssertEqual(try Snapshot.open(path, hashCache: cache).sha256, String(repeating: "0", count: 64))
    }

    func testAFileRewrittenWithTheSameSizeAndModificationTimeIsHashedAgain() throws {
        let path = directory + "/a.sql"
        try writeDump("SELECT 1;\n", to: path)
        let cache = SnapshotHashCache(directory: directory)
        let first = try Snapshot.open(path, hashCache: cache)
        let modified = try XCTUnwrap(try FileManager.default.attributesOfItem(atPath: path)[.modificationDate] as? Date)

        // Same length, different bytes, modification time put back as `touch -r` would.
        try writeDump("SELECT 2;\n", to: path)
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: path)
        let second = try Snapshot.open(path, hashCache: cache)
        XCTAssertNotEqual(second.sha256, first.sha256, "the status-change time moved, so the file was read again")
        XCTAssertEqual(second, try Snapshot.open(path))
    }

    func testAnotherFileAtTheSamePathIsHashedAgain() throws {
        let path = directory + "/a.sql"
        try writeDump("SELECT 1;\n", to: path)
        let cache = SnapshotHashCache(directory: directory)
        _ = try Snapshot.open(path, hashCache: cache)
        try writeDump("SELECT 3;\n", to: directory + "/b.sql")
        XCTAssertEqual(rename(directory + "/b.sql", path), 0)
        XCTAssertNil(cache.hash(of: path))
        XCTAssertEqual(try Snapshot.open(path, hashCache: cache), try Snapshot.open(path))
    }

    func testAnUnreadableCacheFileOnlyCostsAHash() throws {
        let path = directory + "/a.sql"
        try writeDump("SELECT 1;\n", to: path)
        let cache = SnapshotHashCache(directory: directory)
        try "not json".write(toFile: cache.file, atomically: false, encoding: .utf8)
        XCTAssertEqual(try Snapshot.open(path, hashCache: cache), try Snapshot.open(path))
        XCTAssertNotNil(cache.hash(of: path), "the broken cache was replaced")
    }
}
