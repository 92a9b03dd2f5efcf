import Foundation
import XCTest
@testable import Rehearsal

/// Snapshots are told by their bytes, and a file rehearse does not restore gets one line
/// naming what it is and what to run instead, before anything is hashed or started.
final class SnapshotFormatDetectionTests: XCTestCase {
    private let header = "--\n-- PostgreSQL database dump\n--\n\nSET statement_timeout = 0;\n"

    private func file(_ bytes: [UInt8], named name: String = "nightly.backup") throws -> String {
        let path = try temporaryPath(name)
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }

    private func gzip(_ text: String, members: Int = 1) throws -> String {
        let plain = try file(Array(text.utf8), named: "plain")
        let path = plain + ".gz"
        let command = Array(repeating: "gzip -c '\(plain)'", count: members).joined(separator: "; ")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "(\(command)) > '\(path)'"]
        try process.run()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        return path
    }

    private func refusal(_ path: String, file: StaticString = #filePath, line: UInt = #line) -> (what: String, convert: String)? {
        do {
            _ = try SnapshotFormat.check(path)
            XCTFail("\(path) should be refused", file: file, line: line)
        } catch SnapshotError.unsupported(let refused, let what, let convert) {
            XCTAssertEqual(refused, path, file: file, line: line)
            return (what, convert)
        } catch {
            XCTFail("\(error)", file: file, line: line)
        }
        return nil
    }

    func testPlainAndGzipAreReadByContentWhateverTheirName() throws {
        XCTAssertEqual(try SnapshotFormat.check(try file(Array(header.utf8), named: "dump.zst")), .plain)
        let gzipped = try gzip(header + "SELECT 1;\n")
        XCTAssertEqual(try SnapshotFormat.check(gzipped), .gzip)
        XCTAssertEqual(String(decoding: try decompressed(gzipped), as: UTF8.self), header + "SELECT 1;\n")
    }

    func testGzipMembersOneAfterAnotherAreOneStream() throws {
        let text = header + String(repeating: "SELECT 'a fairly long line to fill the buffers';\n", count: 20000)
        let path = try gzip(text, members: 3)
        XCTAssertEqual(try decompressed(path).count, text.utf8.count * 3)
    }

    func testATruncatedOrDamagedGzipNamesTheOffset() throws {
        let text = header + String(repeating: "INSERT INTO t VALUES (1, 'x');\n", count: 50000)
        let whole = try XCTUnwrap(FileManager.default.contents(atPath: try gzip(text)))
        let cut = try file([UInt8](whole.prefix(whole.count / 2)), named: "cut.gz")
        XCTAssertThrowsError(try decompressed(cut)) { error in
            guard case .truncated(_, _, .gzip)? = error as? SnapshotError else { return XCTFail("\(error)") }
            XCTAssertTrue("\(error)".contains("gzip member"), "\(error)")
        }
        var damaged = [UInt8](whole)
        for index in stride(from: 40, to: 200, by: 3) { damaged[index] ^= 0x5A }
        XCTAssertThrowsError(try decompressed(try file(damaged, named: "damaged.gz"))) { error in
            guard case .corrupt? = error as? SnapshotError else { return XCTFail("\(error)") }
        }
    }

    func testOtherCompressionsAndArchivesNameTheCommandThatConverts() throws {
        let cases: [([UInt8], String, String)] = [
            ([0x42, 0x5A, 0x68, 0x39] + Array(repeating: 1, count: 20), "bzip2", "bunzip2 -c"),
            ([0xFD, 0x37, 0x7A, 0x58, 0x5A, 0x00] + Array(repeating: 1, count: 20), "xz", "xz -dc"),
            ([0x04, 0x22, 0x4D, 0x18] + Array(repeating: 1, count: 20), "lz4", "lz4 -dc"),
            ([0x50, 0x4B, 0x03, 0x04] + Array(repeating: 1, count: 20), "zip", "unzip -p"),
            (Array("SQLite format 3\0".utf8) + Array(repeating: 0, count: 100), "SQLite", "pg_dump --format=custom"),
        ]
        for (bytes, what, command) in cases {
            let refused = try XCTUnwrap(refusal(try file(bytes)))
            XCTAssertTrue(refused.what.contains(what), refused.what)
            XCTAssertTrue(refused.convert.contains(command), refused.convert)
        }
    }

    func testSQLThatIsNotAPgDumpAndAClusterDumpAreRefused() throws {
        let schema = try XCTUnwrap(refusal(try file(Array("CREATE TABLE t (id int);\n".utf8), named: "schema.sql")))
        XCTAssertTrue(schema.what.contains("without pg_dump's header"), schema.what)
        let cluster = try XCTUnwrap(refusal(try file(Array("--\n-- PostgreSQL database cluster dump\n--\n".utf8))))
        XCTAssertTrue(cluster.what.contains("pg_dumpall"), cluster.what)
        XCTAssertTrue(cluster.convert.contains("pg_dump --format=custom"), cluster.convert)
        let binary = try XCTUnwrap(refusal(try file([0x00, 0x01, 0x02, 0xFF, 0xFE] + Array(repeating: 7, count: 50))))
        XCTAssertTrue(binary.what.contains("binary data"), binary.what)
    }

    func testACompressedCustomArchiveSaysToDecompressIt() throws {
        let path = try temporaryPath("nightly.dump.zst")
        let writer = try ZstdWriter(path: path, level: 1)
        try writer.write(Array("PGDMP".utf8) + [1, 14, 0] + Array(repeating: 0, count: 64))
        _ = try writer.finish()
        let refused = try XCTUnwrap(refusal(path))
        XCTAssertTrue(refused.what.contains("zstd-compressed pg_dump custom-format archive"), refused.what)
        XCTAssertTrue(refused.convert.contains("zstd -d"), refused.convert)
    }

    func testATarThatIsNotAPgDumpAndADirectoryWithoutATableOfContents() throws {
        var tar = [UInt8](repeating: 0, count: 1024)
        tar.replaceSubrange(0..<9, with: Array("notes.txt".utf8))
        tar.replaceSubrange(257..<262, with: Array("ustar".utf8))
        let refused = try XCTUnwrap(refusal(try file(tar, named: "backup.tar")))
        XCTAssertTrue(refused.what.contains("notes.txt"), refused.what)
        let directory = (try temporaryPath("dump-dir") as NSString).deletingLastPathComponent
        let empty = try XCTUnwrap(refusal(directory))
        XCTAssertTrue(empty.what.contains("toc.dat"), empty.what)
    }
}
