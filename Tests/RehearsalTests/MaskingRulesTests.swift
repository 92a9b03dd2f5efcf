import Foundation
import XCTest
@testable import Rehearsal

final class MaskingRulesTests: XCTestCase {
    private let file = "/tmp/x/mask.yaml"

    /// Parses `yaml` expecting a SnapshotCreationError.
    private func parseError(_ yaml: String, sourceLine: UInt = #line) -> SnapshotCreationError? {
        do {
            let rules = try MaskingRules.parse(yaml, file: file)
            XCTFail("expected an error, parsed \(rules.tables)", line: sourceLine)
        } catch let error as SnapshotCreationError {
            return error
        } catch {
            XCTFail("unexpected error type: \(error)", line: sourceLine)
        }
        return nil
    }

    // MARK: - Valid rules

    func testDocumentedExampleReadsEveryKind() throws {
        let rules = try MaskingRules.parse(
            """
            public.users:
              email: hash        # deterministic, keeps uniqueness
              display_name: fake
              phone: null        # \\N
              notes: "redacted"
            """, file: file)

        XCTAssertEqual(rules.file, file)
        XCTAssertNil(rules.salt)
        XCTAssertEqual(rules.tables.count, 1)
        let users = try XCTUnwrap(rules.table("public.users"))
        XCTAssertEqual(users.schema, "public")
        XCTAssertEqual(users.name, "users")
        XCTAssertEqual(users.line, 1)
        XCTAssertEqual(users.columns, ["email": .hash, "display_name": .fake, "phone": .null, "notes": .fixed("redacted")])
        XCTAssertEqual(
            rules.maskedColumns,
            ["public.users.display_name", "public.users.email", "public.users.notes", "public.users.phone"])
    }

    func testQuotedKeywordsNumbersAndPhrasesAreFixedValues() throws {
        let rules = try MaskingRules.parse(
            """
            public.people:
              a: "hash"
              b: 'null'
              c: 0
              d: redacted text
              e: true
              f: "line\\nbreak"
            """, file: file)
        let columns = try XCTUnwrap(rules.table("public.people")).columns
        XCTAssertEqual(columns["a"], .fixed("hash"))
        XCTAssertEqual(columns["b"], .fixed("null"))
        XCTAssertEqual(columns["c"], .fixed("0"))
        XCTAssertEqual(columns["d"], .fixed("redacted text"))
        XCTAssertEqual(columns["e"], .fixed("true"))
        XCTAssertEqual(columns["f"], .fixed("line\nbreak"))
    }

    func testEveryYAMLNullSpellingMeansNull() throws {
        let rules = try MaskingRules.parse(
            """
            public.people:
              a: null
              b: ~
              c:
              d: NULL
            """, file: file)
        XCTAssertEqual(try XCTUnwrap(rules.table("public.people")).columns, ["a": .null, "b": .null, "c": .null, "d": .null])
    }

    func testKeywordsAreCaseInsensitive() throws {
        let rules = try MaskingRules.parse("public.users:\n  email: Hash\n  name: FAKE\n", file: file)
        XCTAssertEqual(try XCTUnwrap(rules.table("public.users")).columns, ["email": .hash, "name": .fake])
    }

    func testTableWithoutSchemaIsInPublic() throws {
        let rules = try MaskingRules.parse("users:\n  email: hash\n", file: file)
        XCTAssertEqual(rules.tables.map(\.qualifiedName), ["public.users"])
    }

    func testNamesKeepTheirCaseAndQuotesAllowDots() throws {
        let rules = try MaskingRules.parse(
            """
            crm.MixedCase:
              Email: hash
            '"odd.schema"."Users"':
              e: hash
            """, file: file)
        XCTAssertEqual(rules.tables.map(\.schema), ["crm", "odd.schema"])
        XCTAssertEqual(rules.tables.map(\.name), ["MixedCase", "Users"])
        XCTAssertEqual(rules.tables[0].columns, ["Email": .hash])
    }

    func testSaltIsReadAndIsNotATable() throws {
        let rules = try MaskingRules.parse("salt: \"s3cret\"\npublic.users:\n  email: hash\n", file: file)
        XCTAssertEqual(rules.salt, "s3cret")
        XCTAssertEqual(rules.tables.map(\.qualifiedName), ["public.users"])
    }

    func testSeveralTablesKeepTheirOrderAndLines() throws {
        let rules = try MaskingRules.parse(
            """
            public.users:
              email: hash

            billing.cards:
              number: null
              holder: fake
            """, file: file)
        XCTAssertEqual(rules.tables.map(\.qualifiedName), ["public.users", "billing.cards"])
        XCTAssertEqual(rules.tables.map(\.line), [1, 4])
        XCTAssertEqual(rules.maskedColumns, ["billing.cards.holder", "billing.cards.number", "public.users.email"])
    }

    func testLoadReadsAFile() throws {
        let path = NSTemporaryDirectory() + "rehearse-mask-\(UUID().uuidString).yaml"
        try Data("public.users:\n  email: hash\n".utf8).write(to: URL(fileURLWithPath: path))
        addTeardownBlock { try? FileManager.default.removeItem(atPath: path) }
        let rules = try MaskingRules.load(path)
        XCTAssertEqual(rules.file, path)
        XCTAssertEqual(rules.maskedColumns, ["public.users.email"])
    }

    // MARK: - Errors

    func testUnknownKindIsAnErrorNamingTheColumnAndLine() {
        guard case .maskingRuleInvalid(let errorFile, let key, let line, let problem)? = parseError(
            """
            public.users:
              email: hsah
            """)
        else { return XCTFail("expected maskingRuleInvalid") }
        XCTAssertEqual(errorFile, file)
        XCTAssertEqual(key, "public.users.email")
        XCTAssertEqual(line, 2)
        XCTAssertTrue(problem.contains("unknown masking kind \"hsah\""), problem)
        XCTAssertTrue(problem.contains("hash, fake or null"), problem)
    }

    func testUnknownKindDescriptionIsOneSentenceWithFileAndLine() {
        let error = parseError("public.users:\n  email: scramble\n")
        XCTAssertEqual(
            error?.description,
            "\(file):2: key `public.users.email`: unknown masking kind \"scramble\"; use hash, fake or null, or quote it (\"scramble\") to write that text as a fixed value.")
    }

    func testListOrMappingIsAnUnknownKind() {
        for yaml in ["public.users:\n  email: [hash]\n", "public.users:\n  email: {kind: hash}\n"] {
            guard case .maskingRuleInvalid(_, let key, _, let problem)? = parseError(yaml) else { return XCTFail(yaml) }
            XCTAssertEqual(key, "public.users.email")
            XCTAssertTrue(problem.contains("unknown masking kind"), problem)
        }
    }

    func testTableMustMapColumnsToRules() {
        guard case .maskingRuleInvalid(_, let key, let line, let problem)? = parseError("public.users: hash\n") else {
            return XCTFail("expected maskingRuleInvalid")
        }
        XCTAssertEqual(key, "public.users")
        XCTAssertEqual(line, 1)
        XCTAssertTrue(problem.contains("mapping of column: rule"), problem)
    }

    func testTableWithoutColumnsIsAnError() {
        guard case .maskingRuleInvalid(_, "public.users", _, let problem)? = parseError("public.users: {}\n") else {
            return XCTFail("expected maskingRuleInvalid")
        }
        XCTAssertTrue(problem.contains("no columns"), problem)
    }

    func testSameTableTwiceIsAnError() {
        guard case .maskingRuleInvalid(_, "users", let line, let problem)? = parseError("public.users:\n  email: hash\nusers:\n  phone: null\n")
        else { return XCTFail("expected maskingRuleInvalid") }
        XCTAssertEqual(line, 3)
        XCTAssertTrue(problem.contains("listed twice"), problem)
    }

    func testBadTableNameIsAnError() {
        guard case .maskingRuleInvalid(_, "a.b.c", _, let problem)? = parseError("a.b.c:\n  x: hash\n") else {
            return XCTFail("expected maskingRuleInvalid")
        }
        XCTAssertTrue(problem.contains("schema.table"), problem)
    }

    func testEmptyFileInvalidYAMLAndNonMappingAreUnreadable() {
        for yaml in ["", "public.users: [\n", "- public.users\n"] {
            guard case .maskingRulesUnreadable(let errorFile, _)? = parseError(yaml) else { return XCTFail("\(yaml.debugDescription)") }
            XCTAssertEqual(errorFile, file)
        }
    }

    func testMissingFileIsUnreadable() {
        XCTAssertThrowsError(try MaskingRules.load("/nonexistent/rehearse/mask.yaml")) { error in
            guard case .maskingRulesUnreadable(let path, _)? = error as? SnapshotCreationError else { return XCTFail("\(error)") }
            XCTAssertEqual(path, "/nonexistent/rehearse/mask.yaml")
        }
    }
}
