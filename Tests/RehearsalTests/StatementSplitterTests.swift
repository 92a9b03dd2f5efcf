import XCTest
@testable import Rehearsal

final class StatementSplitterTests: XCTestCase {
    /// A piece as plain values, so expectations read as text.
    private enum Out: Equatable, CustomStringConvertible {
        case sql(String, line: Int)
        case meta(String, line: Int)

        var description: String {
            switch self {
            case .sql(let text, let line): return "sql@\(line): \(text.debugDescription)"
            case .meta(let text, let line): return "meta@\(line): \(text.debugDescription)"
            }
        }
    }

    private static func out(_ piece: StatementSplitter.Piece) -> Out {
        switch piece {
        case .statement(let text, let line): return .sql(String(decoding: text, as: UTF8.self), line: line)
        case .metaCommand(let text, let line): return .meta(text, line: line)
        }
    }

    /// Splits `text` on "\n" (keeping the newline), feeds each line with its 1-based number,
    /// then `finish()`.
    private func split(_ text: String) -> [Out] {
        var splitter = StatementSplitter()
        var pieces: [StatementSplitter.Piece] = []
        var line: [UInt8] = []
        var number = 0
        for byte in text.utf8 {
            line.append(byte)
            if byte == 0x0A {
                number += 1
                pieces += splitter.feed(line: line[...], number: number)
                line.removeAll()
            }
        }
        if !line.isEmpty {
            number += 1
            pieces += splitter.feed(line: line[...], number: number)
        }
        if let last = splitter.finish() { pieces.append(last) }
        return pieces.map(Self.out)
    }

    private func statements(_ text: String) -> [String] {
        split(text).compactMap { piece -> String? in
            if case .sql(let sql, _) = piece { return sql }
            return nil
        }
    }

    // MARK: - Plain statements and lines

    func testSemicolonsSeparateStatementsOnOneLine() {
        XCTAssertEqual(split("SELECT 1; SELECT 2;\n"), [.sql("SELECT 1;", line: 1), .sql("SELECT 2;", line: 1)])
    }

    func testStatementSpanningLinesStartsAtItsFirstContentLine() {
        let text = "\n\n  CREATE TABLE t (\n    id int\n  );\nSELECT 1;\n"
        XCTAssertEqual(split(text), [
            .sql("CREATE TABLE t (\n    id int\n  );", line: 3),
            .sql("SELECT 1;", line: 6),
        ])
    }

    func testFinalStatementWithoutSemicolonIsReturnedByFinish() {
        XCTAssertEqual(split("SELECT 1;\nSELECT 2"), [.sql("SELECT 1;", line: 1), .sql("SELECT 2", line: 2)])
    }

    func testCommentsAndWhitespaceAloneProduceNoStatement() {
        XCTAssertEqual(split("-- nothing here;\n/* nor; here */\n\n   \n"), [])
    }

    // MARK: - Quotes

    func testSemicolonInsideSingleQuotesWithDoubledQuoteDoesNotSplit() {
        let text = "INSERT INTO t VALUES ('a;''b;c');\nSELECT 2;\n"
        XCTAssertEqual(split(text), [
            .sql("INSERT INTO t VALUES ('a;''b;c');", line: 1),
            .sql("SELECT 2;", line: 2),
        ])
    }

    func testBackslashQuoteInsideEStringDoesNotCloseIt() {
        let text = "SELECT E'it\\'s; fine';\nSELECT e'x\\';y';\n"
        XCTAssertEqual(split(text), [
            .sql("SELECT E'it\\'s; fine';", line: 1),
            .sql("SELECT e'x\\';y';", line: 2),
        ])
    }

    func testBackslashInStandardStringIsLiteralSoTheQuoteClosesIt() {
        // With standard_conforming_strings, 'C:\' is a complete string.
        XCTAssertEqual(split("SELECT 'C:\\'; SELECT 2;\n"), [
            .sql("SELECT 'C:\\';", line: 1),
            .sql("SELECT 2;", line: 1),
        ])
    }

    func testSemicolonInsideQuotedIdentifierDoesNotSplit() {
        XCTAssertEqual(split("CREATE TABLE \"odd;name\" (\"a;b\" int);\n"), [
            .sql("CREATE TABLE \"odd;name\" (\"a;b\" int);", line: 1),
        ])
    }

    func testStringSpanningLinesKeepsItsSemicolons() {
        XCTAssertEqual(split("INSERT INTO t VALUES ('line one;\nline two;');\nSELECT 2;\n"), [
            .sql("INSERT INTO t VALUES ('line one;\nline two;');", line: 1),
            .sql("SELECT 2;", line: 3),
        ])
    }

    // MARK: - Dollar quotes

    func testDollarQuotedBodySpanningLinesIsOneStatement() {
        let text = """
            CREATE FUNCTION f() RETURNS int AS $$
            BEGIN
              RETURN 1;
            END;
            $$ LANGUAGE plpgsql;
            SELECT 2;

            """
        XCTAssertEqual(split(text), [
            .sql("CREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$ LANGUAGE plpgsql;", line: 1),
            .sql("SELECT 2;", line: 6),
        ])
    }

    func testTaggedDollarQuoteIsNotClosedByPlainDoubleDollar() {
        let text = """
            CREATE FUNCTION g() RETURNS text AS $fn$
              SELECT $$;$$;
            $fn$ LANGUAGE sql;
            SELECT 3;

            """
        XCTAssertEqual(split(text), [
            .sql("CREATE FUNCTION g() RETURNS text AS $fn$\n  SELECT $$;$$;\n$fn$ LANGUAGE sql;", line: 1),
            .sql("SELECT 3;", line: 4),
        ])
    }

    func testPositionalParameterIsNotADollarQuote() {
        XCTAssertEqual(split("PREPARE q(int, int) AS SELECT $1 + $2;\nSELECT 3;\n"), [
            .sql("PREPARE q(int, int) AS SELECT $1 + $2;", line: 1),
            .sql("SELECT 3;", line: 2),
        ])
    }

    // MARK: - Comments

    func testNestedBlockCommentHidesItsSemicolon() {
        XCTAssertEqual(split("SELECT /* outer /* inner */ still; comment */ 1;\nSELECT 2;\n"), [
            .sql("SELECT /* outer /* inner */ still; comment */ 1;", line: 1),
            .sql("SELECT 2;", line: 2),
        ])
    }

    func testNestedBlockCommentBeforeAStatementSpanningLinesIsSkipped() {
        XCTAssertEqual(split("/* a\n /* b */ ;\n*/\nSELECT 1;\n"), [.sql("SELECT 1;", line: 4)])
    }

    func testSemicolonInLineCommentDoesNotEndTheStatement() {
        XCTAssertEqual(split("SELECT 1 -- not the end;\n+ 1;\n"), [.sql("SELECT 1 -- not the end;\n+ 1;", line: 1)])
    }

    func testLineCommentsAroundStatementsAreNotStatements() {
        XCTAssertEqual(split("-- DROP TABLE x;\nSELECT 1; -- trailing; comment\nSELECT 2;\n"), [
            .sql("SELECT 1;", line: 2),
            .sql("SELECT 2;", line: 3),
        ])
    }

    // MARK: - Meta-commands

    func testBackslashLineOutsideQuotesIsAMetaCommandWithItsLine() {
        XCTAssertEqual(split("SELECT 1;\n\\! ls\nSELECT 2;\n"), [
            .sql("SELECT 1;", line: 1),
            .meta("\\! ls", line: 2),
            .sql("SELECT 2;", line: 3),
        ])
    }

    func testBackslashInsideQuotesOrCommentsIsNotAMetaCommand() {
        let text = """
            SELECT 'a\\! b';
            SELECT E'\\\\';
            SELECT $$ \\! ls $$;
            -- \\! ls

            """
        let pieces = split(text)
        let metaCommands = pieces.filter { piece -> Bool in
            if case .meta = piece { return true }
            return false
        }
        XCTAssertEqual(metaCommands, [])
        XCTAssertEqual(statements(text), ["SELECT 'a\\! b';", "SELECT E'\\\\';", "SELECT $$ \\! ls $$;"])
    }

    // MARK: - Unfinished input

    func testOpenStringAtEndIsPendingNotAStatement() {
        var splitter = StatementSplitter()
        let first = splitter.feed(line: Array("SELECT 1;\n".utf8)[...], number: 1)
        let second = splitter.feed(line: Array("INSERT INTO t VALUES ('abc\n".utf8)[...], number: 2)

        XCTAssertEqual(first, [.statement(text: Array("SELECT 1;".utf8), line: 1)])
        XCTAssertEqual(second, [])

        XCTAssertNil(splitter.finish())
        XCTAssertTrue(splitter.isInsideStatement)
        XCTAssertEqual(splitter.pendingStartLine, 2)
        XCTAssertEqual(splitter.pendingDescription, "a quoted string")
    }

    func testOpenDollarBodyIsDescribedAsSuch() {
        var splitter = StatementSplitter()
        _ = splitter.feed(line: Array("DO $$ BEGIN\n".utf8)[...], number: 1)
        XCTAssertNil(splitter.finish())
        XCTAssertEqual(splitter.pendingDescription, "a dollar-quoted body")
    }

    func testLinesGivenAsSlicesOfALargerBufferAreSplitTheSame() {
        // A reader hands out slices of one chunk, whose indices do not start at 0.
        let bytes = Array("SELECT 'a;b';\nCREATE FUNCTION f() AS $x$ ; $x$;\n\\! id\n".utf8)
        var splitter = StatementSplitter()
        var pieces: [StatementSplitter.Piece] = []
        var start = 0
        var number = 0
        for index in bytes.indices where bytes[index] == 0x0A {
            number += 1
            pieces += splitter.feed(line: bytes[start...index], number: number)
            start = index + 1
        }
        XCTAssertEqual(pieces.map(Self.out), [
            .sql("SELECT 'a;b';", line: 1),
            .sql("CREATE FUNCTION f() AS $x$ ; $x$;", line: 2),
            .meta("\\! id", line: 3),
        ])
    }

    // MARK: - Round trip

    func testEveryStatementIsAnExactSourceSubstringAndOnlyCommentsOrWhitespaceFallBetween() {
        let inputs = [
            "SELECT 1; SELECT 2;\n",
            "-- header\n\nCREATE TABLE t (\n  a text DEFAULT 'x;y', -- inline; comment\n  b int\n);\n/* tail */\n",
            "INSERT INTO t VALUES (E'\\'', 'it''s');\nDO $body$ BEGIN RAISE NOTICE ';'; END $body$;\n",
            "SELECT /* a /* b */ ; */ \"c;d\" FROM t;\n\n-- end\nSELECT 3",
        ]
        for input in inputs {
            let source = Array(input.utf8)
            var cursor = 0
            let found = statements(input)
            XCTAssertFalse(found.isEmpty, "no statements in \(input.debugDescription)")
            for statement in found {
                let needle = Array(statement.utf8)
                guard let at = Self.index(of: needle, in: source, from: cursor) else {
                    XCTFail("\(statement.debugDescription) is not a substring of \(input.debugDescription) after byte \(cursor)")
                    break
                }
                Self.assertOnlyCommentsOrWhitespace(Array(source[cursor..<at]), in: input)
                cursor = at + needle.count
            }
            Self.assertOnlyCommentsOrWhitespace(Array(source[cursor...]), in: input)
        }
    }

    private static func index(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
        guard !needle.isEmpty, haystack.count >= needle.count else { return nil }
        var position = start
        while position + needle.count <= haystack.count {
            if haystack[position..<(position + needle.count)].elementsEqual(needle) { return position }
            position += 1
        }
        return nil
    }

    private static func assertOnlyCommentsOrWhitespace(
        _ gap: [UInt8], in input: String, file: StaticString = #filePath, line: UInt = #line
    ) {
        let text = String(decoding: gap, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        if text.isEmpty { return }
        let isBlockComment = text.hasPrefix("/*") && text.hasSuffix("*/")
        let isLineComments = text.split(separator: "\n").allSatisfy {
            $0.trimmingCharacters(in: .whitespaces).isEmpty || $0.trimmingCharacters(in: .whitespaces).hasPrefix("--")
        }
        XCTAssertTrue(
            isBlockComment || isLineComments,
            "text outside statements is not a comment: \(text.debugDescription) in \(input.debugDescription)",
            file: file, line: line)
    }
}
