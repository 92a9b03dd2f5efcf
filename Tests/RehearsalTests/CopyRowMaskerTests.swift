import Foundation
import Crypto
import XCTest
@testable import Rehearsal

/// COPY lines below are written as pg_dump writes them: a real tab (`\t` in the Swift
/// literal) between fields, and COPY escapes spelled with a backslash (`\\t`, `\\N`).
final class CopyRowMaskerTests: XCTestCase {
    private let salt = "pepper"

    private func masker(_ columns: [String], _ rules: [String: MaskingRule], salt: String? = nil) throws -> CopyRowMasker {
        try CopyRowMasker(table: "public.users", columns: columns, rules: rules, salt: salt ?? self.salt, rulesFile: "mask.yaml")
    }

    private func decode(_ field: String) -> String? {
        CopyRowMasker.decode(Array(field.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    private func encode(_ value: String) -> String {
        var output: [UInt8] = []
        CopyRowMasker.encode(Array(value.utf8), into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    /// The documented formula: 'h_' + first 16 hex of HMAC-SHA256(key: salt, value).
    private func expectedHash(_ value: String, salt: String? = nil) -> String {
        let code = HMAC<SHA256>.authenticationCode(for: Array(value.utf8), using: SymmetricKey(data: Array((salt ?? self.salt).utf8)))
        return "h_" + String(Hex.string(code).prefix(16))
    }

    private func fields(_ line: String) -> [String] {
        var body = line
        if body.hasSuffix("\n") { body.removeLast() }
        return body.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
    }

    // MARK: - COPY text format

    func testEscapesDecodeAsPostgresReadsThem() {
        XCTAssertEqual(decode("a\\\\b"), "a\\b")
        XCTAssertEqual(decode("tab\\there"), "tab\there")
        XCTAssertEqual(decode("line\\nbreak\\rcr"), "line\nbreak\rcr")
        XCTAssertEqual(decode("\\b\\f\\v"), "\u{8}\u{C}\u{B}")
        XCTAssertEqual(decode("\\101\\x42\\x4a\\7"), "ABJ\u{7}")
        XCTAssertEqual(decode("\\q\\x"), "qx")
        XCTAssertEqual(decode("ends with \\"), "ends with \\")
        XCTAssertNil(decode("\\N"))
        XCTAssertEqual(decode("\\\\N"), "\\N", "an escaped backslash before N is text, not NULL")
        XCTAssertEqual(decode(""), "", "an empty field is the empty string, not NULL")
    }

    func testEncodeEscapesWhatPgDumpEscapesAndRoundTrips() {
        XCTAssertEqual(encode("a\tb\nc\\d\re"), "a\\tb\\nc\\\\d\\re")
        XCTAssertEqual(encode("\u{8}\u{C}\u{B}"), "\\b\\f\\v")
        for value in ["plain", "tab\there", "two\nlines", "cr\r", "back\\slash", "\\N", "ünïcødé 🐘", ""] {
            XCTAssertEqual(decode(encode(value)), value)
        }
    }

    // MARK: - Rules

    func testUnmaskedColumnsAreByteIdentical() throws {
        let line = "7\tada@example.com\tline\\none\\ttab\\\\slash\\101\t\\N\n"
        let masked = try masker(["id", "email", "note", "phone"], ["email": .hash]).mask(line)
        let before = fields(line)
        let after = fields(masked)
        XCTAssertEqual(after.count, 4)
        XCTAssertEqual(after[0], before[0])
        XCTAssertEqual(after[2], before[2])
        XCTAssertEqual(after[3], before[3])
        XCTAssertNotEqual(after[1], before[1])
        XCTAssertTrue(masked.hasSuffix("\n"))
    }

    func testLineWithoutRulesForItsColumnsIsUnchanged() throws {
        let line = "1\tx\\ty\t\\N\n"
        XCTAssertEqual(try masker(["id", "a", "b", "email"], ["email": .hash]).mask(line), line, "a missing last field stays missing")
    }

    func testNullStaysNullForHashFakeAndFixed() throws {
        let masker = try masker(["id", "email", "name", "note"], ["email": .hash, "name": .fake, "note": .fixed("x")])
        XCTAssertEqual(masker.mask("1\t\\N\t\\N\t\\N\n"), "1\t\\N\t\\N\t\\N\n")
    }

    func testNullRuleWritesNull() throws {
        XCTAssertEqual(try masker(["id", "phone"], ["phone": .null]).mask("1\t+1 555 0100\n"), "1\t\\N\n")
    }

    func testFixedValueIsWrittenEscaped() throws {
        let masker = try masker(["id", "note"], ["note": .fixed("a\tb\\c")])
        XCTAssertEqual(masker.mask("1\tsecret\n"), "1\ta\\tb\\\\c\n")
        XCTAssertEqual(masker.mask("2\t\n"), "2\ta\\tb\\\\c\n", "an empty string is a value, not NULL")
    }

    func testHashIsDeterministicAndDistinctForDistinctInputs() throws {
        let masker = try masker(["id", "name"], ["name": .hash])
        let first = fields(masker.mask("1\tAda\n"))[1]
        XCTAssertEqual(fields(masker.mask("2\tAda\n"))[1], first)
        XCTAssertNotEqual(fields(masker.mask("3\tAdb\n"))[1], first)
        XCTAssertEqual(first, expectedHash("Ada"))
        let hashes = Set((0..<5000).map { fields(masker.mask("1\tuser \($0)\n"))[1] })
        XCTAssertEqual(hashes.count, 5000)
    }

    func testHashMatchesTheDocumentedFormula() throws {
        // python3 -c "import hmac, hashlib; print(hmac.new(b'pepper', b'ada@example.com', hashlib.sha256).hexdigest()[:16])"
        XCTAssertEqual(
            try masker(["email"], ["email": .hash]).mask("ada@example.com\n"), "h_73c43507a0192e95@example.invalid\n")
    }

    func testHashDependsOnTheSalt() throws {
        let one = try masker(["name"], ["name": .hash], salt: "one").mask("Ada\n")
        let two = try masker(["name"], ["name": .hash], salt: "two").mask("Ada\n")
        XCTAssertNotEqual(one, two)
        XCTAssertEqual(one, expectedHash("Ada", salt: "one") + "\n")
    }

    func testHashedEmailKeepsAValidShape() throws {
        let masker = try masker(["id", "email"], ["email": .hash])
        for email in ["ada@example.com", "Chloe.Kim+tag@mail.example.org", "x@y"] {
            let value = fields(masker.mask("1\t\(email)\n"))[1]
            XCTAssertNotNil(value.range(of: #"^h_[0-9a-f]{16}@example\.invalid$"#, options: .regularExpression), value)
            XCTAssertEqual(value, expectedHash(email) + "@example.invalid")
        }
        XCTAssertEqual(fields(masker.mask("1\tnot an email\n"))[1], expectedHash("not an email"))
    }

    func testFakeIsDeterministicAndPlausible() throws {
        let masker = try masker(["name", "email", "phone"], ["name": .fake, "email": .fake, "phone": .fake])
        let line = "Ada\tada@example.com\t+1 (555) 010-9999\n"
        let first = fields(masker.mask(line))
        XCTAssertEqual(fields(masker.mask(line)), first)
        // python3 -c "import hmac, hashlib; print(hmac.new(b'pepper', b'Ada', hashlib.sha256).hexdigest()[:12])"
        XCTAssertEqual(first[0], "User 7c1298a5d308")
        XCTAssertEqual(first[1], "user_73c43507a019@example.invalid")
        XCTAssertNotEqual(first[2], "+1 (555) 010-9999")
        XCTAssertNotNil(first[2].range(of: #"^\+\d \(\d{3}\) \d{3}-\d{4}$"#, options: .regularExpression), first[2])
    }

    func testEscapedTabInAMaskedColumnIsPartOfTheValue() throws {
        let masker = try masker(["id", "note", "tail"], ["note": .hash])
        // `foo\tbar` is one field whose value holds a tab; `\011` is the same value in octal.
        let escaped = masker.mask("1\tfoo\\tbar\tend\n")
        XCTAssertEqual(fields(escaped), ["1", expectedHash("foo\tbar"), "end"])
        XCTAssertEqual(masker.mask("1\tfoo\\011bar\tend\n"), escaped)
        // A backslash before a literal tab escapes it too: PostgreSQL reads it as data.
        XCTAssertEqual(masker.mask("1\tfoo\\\tbar\tend\n"), escaped)
        // python3 -c "import hmac, hashlib; print(hmac.new(b'pepper', b'foo\tbar', hashlib.sha256).hexdigest()[:16])"
        XCTAssertEqual(expectedHash("foo\tbar"), "h_3c626435f3d30603")
    }

    func testLineWithoutNewlineStaysWithout() throws {
        XCTAssertEqual(try masker(["id", "phone"], ["phone": .null]).mask("1\t555"), "1\t\\N")
    }

    func testRuleForAColumnTheCopyLacksIsAnError() {
        XCTAssertThrowsError(try masker(["id", "email"], ["mail": .hash])) { error in
            guard case .maskedColumnNotFound(let file, let table, let column, let columns)? = error as? SnapshotCreationError else {
                return XCTFail("\(error)")
            }
            XCTAssertEqual(file, "mask.yaml")
            XCTAssertEqual(table, "public.users")
            XCTAssertEqual(column, "mail")
            XCTAssertEqual(columns, ["id", "email"])
        }
    }

    // MARK: - COPY headers

    func testCopyHeaderUnquotesAndFoldsLikePostgres() {
        XCTAssertEqual(
            CopyHeader.parse(#"COPY public."MixedCase" (a, "B c", "say ""hi""") FROM stdin;"#),
            CopyHeader(table: "public.MixedCase", columns: ["a", "B c", #"say "hi""#]))
        XCTAssertEqual(CopyHeader.parse("COPY Public.Users (ID, email) FROM stdin;"), CopyHeader(table: "public.users", columns: ["id", "email"]))
        XCTAssertEqual(CopyHeader.parse("COPY public.nocols  FROM stdin;"), CopyHeader(table: "public.nocols", columns: []))
        XCTAssertEqual(CopyHeader.parse(#"COPY "we.ird"."t(1)" (x) FROM stdin;"#), CopyHeader(table: "we.ird.t(1)", columns: ["x"]))
        XCTAssertNil(CopyHeader.parse("SELECT 1;"))
        XCTAssertNil(CopyHeader.parse("COPY public.t (a, b FROM stdin;"))
    }

    // MARK: - Streaming a whole dump

    private let dump = """
        --
        -- PostgreSQL database dump
        --

        \\restrict k3y

        CREATE FUNCTION public.f() RETURNS void
            LANGUAGE sql
            AS $$
        COPY public.users (id, email) FROM stdin;
        SELECT 'ada@example.com';
        $$;

        COPY public.users (id, email, name) FROM stdin;
        1\tada@example.com\tAda
        2\t\\N\tBen
        \\.

        COPY public.other (id, email) FROM stdin;
        1\tkeep@example.com
        \\.

        COPY public._schema_migrations (version, dirty) FROM stdin;
        7\tf
        \\.

        \\unrestrict k3y

        """

    private let userRules = MaskingRules(file: "mask.yaml", tables: [.init(schema: "public", name: "users", columns: ["email": .hash])])

    /// Feeds `text` in `chunkSize` pieces and returns what came out.
    private func stream(
        _ text: String, rules: MaskingRules?, chunkSize: Int, required: Set<String>? = nil
    ) throws -> (output: String, masker: DumpStreamMasker) {
        let masker = DumpStreamMasker(rules: rules, salt: salt, capture: ["public._schema_migrations"], required: required)
        var output: [UInt8] = []
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let end = min(offset + chunkSize, bytes.count)
            try masker.process(Array(bytes[offset..<end]), into: &output)
            offset = end
        }
        try masker.finish(into: &output)
        return (String(decoding: output, as: UTF8.self), masker)
    }

    func testStreamMasksOnlyTheDataLinesOfMaskedTables() throws {
        let expected = dump.replacingOccurrences(
            of: "1\tada@example.com\tAda", with: "1\t\(expectedHash("ada@example.com"))@example.invalid\tAda")
        XCTAssertNotEqual(expected, dump)
        for chunkSize in [1, 7, 64, 100_000] {
            let (output, masker) = try stream(dump, rules: userRules, chunkSize: chunkSize)
            XCTAssertEqual(output, expected, "chunks of \(chunkSize)")
            XCTAssertEqual(masker.rowCounts, ["public.users": 2, "public.other": 1, "public._schema_migrations": 1])
            XCTAssertEqual(masker.rowsMasked, 2)
            XCTAssertEqual(masker.maskedTablesSeen, ["public.users"])
        }
    }

    func testCopyLookalikeInAFunctionBodyIsNotData() throws {
        let (output, _) = try stream(dump, rules: userRules, chunkSize: 13)
        XCTAssertTrue(output.contains("COPY public.users (id, email) FROM stdin;\nSELECT 'ada@example.com';\n$$;"))
    }

    func testWithoutRulesTheDumpPassesByteForByte() throws {
        let (output, masker) = try stream(dump, rules: nil, chunkSize: 5)
        XCTAssertEqual(output, dump)
        XCTAssertEqual(masker.rowCounts["public.users"], 2)
        XCTAssertEqual(masker.rowsMasked, 0)
    }

    func testTrackingTableRowIsCaptured() throws {
        let (_, masker) = try stream(dump, rules: nil, chunkSize: 3)
        let row = try XCTUnwrap(masker.captured["public._schema_migrations"])
        XCTAssertEqual(row.columns, ["version", "dirty"])
        XCTAssertEqual(row.line, Array("7\tf\n".utf8))
        XCTAssertEqual(SnapshotInspector.trackingState(line: row.line, columns: row.columns), TrackingTable.State(version: 7, dirty: false))
    }

    func testMaskedTableMissingFromTheDumpIsAnError() {
        let rules = MaskingRules(file: "mask.yaml", tables: [.init(schema: "public", name: "ghosts", columns: ["email": .hash])])
        XCTAssertThrowsError(try stream(dump, rules: rules, chunkSize: 4096)) { error in
            XCTAssertEqual(error as? SnapshotCreationError, .maskedTableNotFound(file: "mask.yaml", table: "public.ghosts"))
        }
        XCTAssertNoThrow(try stream(dump, rules: rules, chunkSize: 4096, required: []), "a partitioned parent has no COPY of its own")
    }

    func testMaskedColumnMissingFromTheCopyIsAnError() {
        let rules = MaskingRules(file: "mask.yaml", tables: [.init(schema: "public", name: "users", columns: ["phone": .null])])
        XCTAssertThrowsError(try stream(dump, rules: rules, chunkSize: 4096)) { error in
            XCTAssertEqual(
                error as? SnapshotCreationError,
                .maskedColumnNotFound(file: "mask.yaml", table: "public.users", column: "phone", columns: ["id", "email", "name"]))
        }
    }
}
