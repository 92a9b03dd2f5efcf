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

    /// A pg_dump -Fd archive is a directory: a rewritten or added data file changes its
    /// identity, so a changed archive is hashed anew; its hash covers every file.
    func testADirectoryArchiveIsIdentifiedAndHashedByAllItsFiles() throws {
        let archive = directory + "/nightly"
        try FileManager.default.createDirectory(atPath: archive, withIntermediateDirectories: true)
        try Data("PGDMP toc".utf8).write(to: URL(fileURLWithPath: archive + "/toc.dat"))
        try Data("rows of 3000".utf8).write(to: URL(fileURLWithPath: archive + "/3000.dat.gz"))
        let before = try XCTUnwrap(FileIdentity(path: archive))
        let hash = try Snapshot.open(archive).sha256
        XCTAssertEqual(try Snapshot.open(archive).format, .directory)
        Thread.sleep(forTimeInterval: 0.01)
        try Data("rows of 3001".utf8).write(to: URL(fileURLWithPath: archive + "/3000.dat.gz"))
        XCTAssertNotEqual(FileIdentity(path: archive), before, "a rewritten data file, same size")
        XCTAssertNotEqual(try Snapshot.open(archive).sha256, hash)
        let rewritten = try XCTUnwrap(FileIdentity(path: archive))
        try Data("more".utf8).write(to: URL(fileURLWithPath: archive + "/3001.dat.gz"))
        XCTAssertNotEqual(FileIdentity(path: archive), rewritten, "an added file")
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
