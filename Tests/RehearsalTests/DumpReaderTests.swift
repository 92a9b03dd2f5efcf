import XCTest
@testable import Rehearsal

final class DumpReaderTests: XCTestCase {
    /// The first lines of every plain-format pg_dump (lines 1–4).
    private let header = "--\n-- PostgreSQL database dump\n--\n\n"

    /// A reader over `text`, handed out whole once (or in `chunkSize` pieces), then nil.
    private func reader(_ text: String, chunkSize: Int? = nil) -> DumpReader {
        var remaining = Array(text.utf8)
        return DumpReader(path: "test.sql") {
            guard !remaining.isEmpty else { return nil }
            let count = min(chunkSize ?? remaining.count, remaining.count)
            defer { remaining.removeFirst(count) }
            return Array(remaining.prefix(count))
        }
    }

    private struct Read {
        var item: DumpReader.Item
        var data: String?
    }

    /// Every item in order; COPY data is drained and returned beside its item.
    private func readAll(_ reader: DumpReader) throws -> [Read] {
        var result: [Read] = []
        while let item = try reader.next() {
            if case .copy(_, let line) = item {
                var data: [UInt8] = []
                try reader.copyData(startLine: line) { data += $0 }
                result.append(Read(item: item, data: String(decoding: data, as: UTF8.self)))
            } else {
                result.append(Read(item: item, data: nil))
            }
        }
        return result
    }

    /// Reads the whole dump expecting a refused meta-command; returns its line and command.
    private func refusal(_ text: String, sourceLine: UInt = #line) -> (line: Int, command: String)? {
        do {
            let items = try readAll(reader(text))
            XCTFail("expected a refused meta-command, read \(items.map(\.item))", line: sourceLine)
        } catch SnapshotError.metaCommandRefused(let path, let line, let command) {
            XCTAssertEqual(path, "test.sql", line: sourceLine)
            return (line, command)
        } catch {
            XCTFail("unexpected error: \(error)", line: sourceLine)
        }
        return nil
    }

    // MARK: - Statements

    func testStatementsComeOutInOrderWithTheirStartLines() throws {
        let dump = header + """
            SET statement_timeout = 0;
            CREATE TABLE public.t (
                a integer,
                b text
            );

            """
        let items = try readAll(reader(dump)).map(\.item)
        XCTAssertEqual(items, [
            .statement(sql: "SET statement_timeout = 0;", line: 5),
            .statement(sql: "CREATE TABLE public.t (\n    a integer,\n    b text\n);", line: 6),
        ])
    }

    func testLinesSplitAcrossSourceChunksAreReassembled() throws {
        let dump = header + "SET a = 1;\nSELECT 'x;y';\nCOPY public.t (a) FROM stdin;\n1\n\\.\nSELECT 2;\n"
        let whole = try readAll(reader(dump))
        let chunked = try readAll(reader(dump, chunkSize: 5))

        XCTAssertEqual(chunked.map(\.item), whole.map(\.item))
        XCTAssertEqual(chunked.map(\.data), whole.map(\.data))
        XCTAssertEqual(chunked.map(\.item), [
            .statement(sql: "SET a = 1;", line: 5),
            .statement(sql: "SELECT 'x;y';", line: 6),
            .copy(sql: "COPY public.t (a) FROM stdin;", line: 7),
            .statement(sql: "SELECT 2;", line: 10),
        ])
    }

    // MARK: - COPY

    func testCopyFromStdinYieldsCopyItemAndExactlyItsDataLines() throws {
        let dump = header + """
            COPY public.t (a, b) FROM stdin;
            1\tone
            2\t\\N
            \\N\tthree
            \\.
            SELECT pg_catalog.setval('public.s', 2, true);

            """
        let read = try readAll(reader(dump))

        XCTAssertEqual(read.map(\.item), [
            .copy(sql: "COPY public.t (a, b) FROM stdin;", line: 5),
            .statement(sql: "SELECT pg_catalog.setval('public.s', 2, true);", line: 10),
        ])
        XCTAssertEqual(read.first?.data, "1\tone\n2\t\\N\n\\N\tthree\n")
    }

    func testOnlyABackslashDotAloneOnALineEndsCopyDataWhereverTheChunksSplit() throws {
        let dump = header + "COPY public.t (a) FROM stdin;\n\\.x\nx\\.\n\\\\.\n\\.\r\n"
            + "COPY public.e (a) FROM stdin;\n\\.\nSELECT 1;\n"
        for size in [nil] + Array(1...12) {
            let read = try readAll(reader(dump, chunkSize: size))
            XCTAssertEqual(read.map(\.item), [
                .copy(sql: "COPY public.t (a) FROM stdin;", line: 5),
                .copy(sql: "COPY public.e (a) FROM stdin;", line: 10),
                .statement(sql: "SELECT 1;", line: 12),
            ], "chunks of \(size.map(String.init) ?? "all")")
            XCTAssertEqual(read.map(\.data), ["\\.x\nx\\.\n\\\\.\n", "", nil], "chunks of \(size.map(String.init) ?? "all")")
        }
        let skipping = reader(dump, chunkSize: 3)
        _ = try skipping.next()
        XCTAssertEqual(try skipping.skipCopyData(startLine: 5), 12)
        XCTAssertEqual(try skipping.next(), .copy(sql: "COPY public.e (a) FROM stdin;", line: 10))
    }

    func testCopyFromAFileIsAPlainStatementNotACopyItem() {
        XCTAssertFalse(DumpReader.isCopyFromStdin("COPY public.t (a) FROM '/etc/passwd';"))
        XCTAssertTrue(DumpReader.isCopyFromStdin("COPY public.t (a) FROM stdin;"))
    }

    func testCopyWithoutTerminatorIsUnterminated() throws {
        let dangerous = reader(header + "COPY public.t (a) FROM stdin;\n1\n2\n")
        let item = try dangerous.next()
        XCTAssertEqual(item, .copy(sql: "COPY public.t (a) FROM stdin;", line: 5))

        do {
            try dangerous.copyData(startLine: 5) { _ in }
            XCTFail("expected unterminated COPY data")
        } catch SnapshotError.unterminated(let path, let line, let what) {
            XCTAssertEqual(path, "test.sql")
            XCTAssertEqual(line, 5)
            XCTAssertEqual(what, "COPY data")
        }
    }

    // MARK: - Meta-commands

    func testRestrictAndUnrestrictWithTheSameKeyAreAccepted() throws {
        let dump = header + """
            \\restrict abc123

            SET a = 1;

            \\unrestrict abc123

            """
        XCTAssertEqual(try readAll(reader(dump)).map(\.item), [.statement(sql: "SET a = 1;", line: 7)])
    }

    func testUnrestrictWithAnotherKeyIsRefused() {
        let refused = refusal(header + "\\restrict abc123\nSET a = 1;\n\\unrestrict other\n")
        XCTAssertEqual(refused?.line, 7)
        XCTAssertEqual(refused?.command, "\\unrestrict")
    }

    func testUnrestrictWithoutRestrictIsRefused() {
        XCTAssertEqual(refusal(header + "\\unrestrict abc123\n")?.command, "\\unrestrict")
    }

    func testShellEscapeIsRefusedWithItsLine() {
        let refused = refusal(header + "SET a = 1;\n\\! rm -rf /\nSET b = 2;\n")
        XCTAssertEqual(refused?.line, 6)
        XCTAssertEqual(refused?.command, "\\!")
    }

    func testClientSideCopyIsRefused() {
        let refused = refusal(header + "\\copy public.t from '/etc/passwd'\n")
        XCTAssertEqual(refused?.line, 5)
        XCTAssertEqual(refused?.command, "\\copy")
    }

    func testMetaCommandInsideARestrictedSectionIsRefused() {
        let refused = refusal(header + "\\restrict K\n\\! id\n\\unrestrict K\n")
        XCTAssertEqual(refused?.line, 6)
        XCTAssertEqual(refused?.command, "\\!")
    }

    func testRestrictInsideAStatementIsRefused() {
        let refused = refusal(header + "SELECT 1\n\\restrict K\n;\n")
        XCTAssertEqual(refused?.line, 6)
        XCTAssertEqual(refused?.command, "\\restrict")
    }

    func testBackslashInsideAStringIsNotAMetaCommand() throws {
        let dump = header + "INSERT INTO t VALUES ('\\! not a command');\n"
        XCTAssertEqual(
            try readAll(reader(dump)).map(\.item),
            [.statement(sql: "INSERT INTO t VALUES ('\\! not a command');", line: 5)])
    }

    // MARK: - Not a dump, incomplete dumps

    func testFileWithoutHeaderIsNotADump() {
        do {
            _ = try readAll(reader("SELECT 1;\n"))
            XCTFail("expected notADump")
        } catch SnapshotError.notADump(let path) {
            XCTAssertEqual(path, "test.sql")
        } catch {
            XCTFail("unexpected error: \(error)")
        }
    }

    func testEmptyInputIsNotADump() {
        do {
            _ = try readAll(reader(""))
            XCTFail("expected notADump")
        } catch SnapshotError.notADump {
        } catch {
            XCTFail("unexpected error: \(error)")
        }
    }

    func testStatementLeftOpenAtEndIsUnterminated() {
        do {
            let items = try readAll(reader(header + "SET a = 1;\nCREATE TABLE t (\n"))
            XCTFail("expected unterminated, read \(items.map(\.item))")
        } catch SnapshotError.unterminated(let path, let line, _) {
            XCTAssertEqual(path, "test.sql")
            XCTAssertEqual(line, 6)
        } catch {
            XCTFail("unexpected error: \(error)")
        }
    }

    func testStringLeftOpenAtEndIsUnterminatedAndSaysSo() {
        do {
            _ = try readAll(reader(header + "INSERT INTO t VALUES ('abc\n"))
            XCTFail("expected unterminated")
        } catch SnapshotError.unterminated(_, let line, let what) {
            XCTAssertEqual(line, 5)
            XCTAssertEqual(what, "a quoted string")
        } catch {
            XCTFail("unexpected error: \(error)")
        }
    }

    // MARK: - Header

    func testHeaderVersionsAreReadFromPgDumpLayout() throws {
        let dump = header + """
            -- Dumped from database version 15.4
            -- Dumped by pg_dump version 16.2 (Debian 16.2-1.pgdg120+2)

            SET statement_timeout = 0;

            """
        let dumpReader = reader(dump)
        XCTAssertEqual(try dumpReader.next(), .statement(sql: "SET statement_timeout = 0;", line: 8))

        XCTAssertEqual(dumpReader.header.serverVersion, "15.4")
        XCTAssertEqual(dumpReader.header.pgDumpVersion, "16.2")
        XCTAssertEqual(dumpReader.header.pgDumpMajor, 16)
    }

    func testHeaderReadsDumpedFromAndDumpedByLines() {
        var header = DumpHeader()
        header.read(commentLine: "-- Dumped from database version 15.4")
        header.read(commentLine: "-- Dumped by pg_dump version 16.2")
        header.read(commentLine: "-- PostgreSQL database dump")

        XCTAssertEqual(header.serverVersion, "15.4")
        XCTAssertEqual(header.pgDumpVersion, "16.2")
        XCTAssertEqual(header.pgDumpMajor, 16)
    }

    func testHeaderWithoutVersionLinesHasNoMajor() {
        XCTAssertNil(DumpHeader().pgDumpMajor)
    }
}
