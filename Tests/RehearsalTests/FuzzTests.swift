import Foundation
import XCTest
@testable import Rehearsal

/// Property-based fuzzing with a fixed seed (reproducible): random inputs built from the
/// characters that matter to each parser, checking that nothing crashes or hangs and that
/// the parsers keep their promises. The counts and time are printed for the record.
final class FuzzTests: XCTestCase {
    /// SplitMix64: small, fast, and the same sequence on every machine.
    struct Seeded: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static let sqlPieces = ["'", "''", "\"", "$$", "$a$", "$1", ";", "--", "/*", "*/", "\\", "E'", "e", "x", "SELECT ", " ", "\n", "\t", "é", "(", ")", "a;b"]

    static func randomSQL(_ generator: inout Seeded, pieces: Int) -> String {
        (0..<pieces).map { _ in sqlPieces.randomElement(using: &generator)! }.joined()
    }

    static func split(_ text: String) -> (statements: [String], metas: Int) {
        var splitter = StatementSplitter()
        var statements: [String] = []
        var metas = 0
        var number = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            for piece in splitter.feed(line: ArraySlice(Array(line.utf8) + [0x0A]), number: number) {
                switch piece {
                case .statement(let bytes, _): statements.append(String(decoding: bytes, as: UTF8.self))
                case .metaCommand: metas += 1
                }
            }
        }
        if case .statement(let bytes, _)? = splitter.finish() { statements.append(String(decoding: bytes, as: UTF8.self)) }
        return (statements, metas)
    }

    func testStatementSplitterNeverCrashesAndReturnsExactSourceText() {
        var generator = Seeded(state: 0x5EED_0001)
        let started = Date()
        let cases = 20_000
        for _ in 0..<cases {
            let input = Self.randomSQL(&generator, pieces: Int.random(in: 1...40, using: &generator))
            let source = input + "\n"
            var cursor = source.startIndex
            let (statements, metas) = Self.split(input)
            // A meta-command cuts a statement in two (psql leaves it out, as does the splitter);
            // the dump reader refuses those, so the property is for inputs without one.
            guard metas == 0 else { continue }
            for statement in statements {
                // Each statement is the source's own text, in order (nothing invented or reordered).
                guard let found = source.range(of: statement, range: cursor..<source.endIndex) else {
                    return XCTFail("statement \(statement.debugDescription) not found in order in \(input.debugDescription)")
                }
                cursor = found.upperBound
            }
        }
        print("fuzz: statement splitter, \(cases) inputs in \(String(format: "%.2f", Date().timeIntervalSince(started))) s")
    }

    func testSplittingPlainStatementsRoundTripsTheInputBytes() {
        var generator = Seeded(state: 0x5EED_0002)
        let words = ["SELECT 1", "INSERT INTO t VALUES ('a;b')", "SELECT $$x;y$$", "SELECT \"c;d\"", "SELECT E'q\\'r;'", "CREATE FUNCTION f() AS $f$ BEGIN; END; $f$"]
        for _ in 0..<5_000 {
            let chosen = (0..<Int.random(in: 1...6, using: &generator)).map { _ in words.randomElement(using: &generator)! + ";" }
            let input = chosen.joined(separator: ["\n", " ", "\n\n"].randomElement(using: &generator)!)
            XCTAssertEqual(Self.split(input).statements, chosen, input)
        }
    }

    func testDumpReaderNeverCrashesOnMutatedDumps() {
        var generator = Seeded(state: 0x5EED_0003)
        let valid = Array("""
            --
            -- PostgreSQL database dump
            --
            \\restrict k

            SET x = 1;
            CREATE TABLE t (a int, b text DEFAULT 'x;y');
            CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;
            COPY t (a, b) FROM stdin;
            1\tone
            2\t\\N
            \\.

            \\unrestrict k

            """.utf8)
        let started = Date()
        let cases = 5_000
        var outcomes: [String: Int] = [:]
        for _ in 0..<cases {
            var bytes = valid
            for _ in 0..<Int.random(in: 1...6, using: &generator) {
                let position = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: bytes[position] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes.remove(at: position)
                case 2: bytes.insert(Array("'$;\\\n".utf8).randomElement(using: &generator)!, at: position)
                default: bytes = Array(bytes.prefix(position))
                }
                if bytes.isEmpty { break }
            }
            var delivered = false
            let reader = DumpReader(path: "fuzz.sql") {
                defer { delivered = true }
                return delivered ? nil : bytes
            }
            do {
                var items = 0
                while let item = try reader.next() {
                    items += 1
                    if case .copy(_, let line) = item { try reader.copyData(startLine: line) { _ in } }
                    XCTAssertLessThan(items, 1000, "the reader must make progress")
                }
                outcomes["read", default: 0] += 1
            } catch let error as SnapshotError {
                outcomes[String("\(error)".prefix(28)), default: 0] += 1
            } catch {
                XCTFail("unexpected error type: \(error)")
            }
        }
        XCTAssertGreaterThan(outcomes["read"] ?? 0, 0)
        XCTAssertGreaterThan(outcomes.count, 2, "mutations reach different errors: \(outcomes)")
        print("fuzz: dump reader, \(cases) mutated dumps in \(String(format: "%.2f", Date().timeIntervalSince(started))) s, outcomes \(outcomes.count)")
    }

    func testMigrationNameParserAgreesWithGolangMigratesRule() {
        var generator = Seeded(state: 0x5EED_0004)
        let alphabet = Array("0123456789_.updownsqlbak-x ")
        let pattern = try! NSRegularExpression(pattern: #"^([0-9]+)_(.*)\.(down|up)\.(.*)$"#)
        for _ in 0..<50_000 {
            var name = String((0..<Int.random(in: 1...24, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            if Bool.random(using: &generator) { name = String(Int.random(in: 0...99_999, using: &generator)) + "_" + name }
            let matches = pattern.firstMatch(in: name, range: NSRange(name.startIndex..., in: name)) != nil
            switch MigrationDirectory.parse(fileName: name) {
            case .ignored:
                XCTAssertFalse(matches, name)
            case .versionOutOfRange:
                XCTAssertTrue(matches, name)
            case .migration(let parsed):
                XCTAssertTrue(matches, name)
                let digits = name.prefix { $0.isNumber }
                XCTAssertEqual(UInt64(digits), parsed.version, name)
                XCTAssertEqual("\(digits)_\(parsed.identifier).\(parsed.direction.rawValue).\(parsed.fileExtension)", name)
            }
        }
    }
}
