import XCTest
@testable import Rehearsal

final class SchemaFingerprintTests: XCTestCase {
    private typealias Key = SchemaFingerprint.Key

    private let before = SchemaFingerprint(objects: [
        Key(kind: "table", name: "public.users"): "table",
        Key(kind: "column", name: "public.users.id"): "integer NOT NULL",
        Key(kind: "column", name: "public.users.email"): "text DEFAULT ''::text",
    ])

    private func adding(_ key: Key, _ definition: String?, to fingerprint: SchemaFingerprint) -> SchemaFingerprint {
        var objects = fingerprint.objects
        objects[key] = definition
        return SchemaFingerprint(objects: objects)
    }

    func testEqualFingerprintsHaveNoDifferences() {
        let same = SchemaFingerprint(objects: before.objects)
        XCTAssertEqual(before.differences(to: same), [])
        XCTAssertEqual(before.rollbackDifferences(afterDown: same), [])
    }

    func testIndexLeftBehindByDownIsUnexpectedAndStillPresent() throws {
        let index = Key(kind: "index", name: "public.idx_users_email")
        let afterDown = adding(index, "CREATE INDEX idx_users_email ON public.users USING btree (email)", to: before)

        let differences = before.rollbackDifferences(afterDown: afterDown)

        XCTAssertEqual(differences.count, 1)
        let difference = try XCTUnwrap(differences.first)
        XCTAssertEqual(difference.kind, "index")
        XCTAssertEqual(difference.name, "public.idx_users_email")
        XCTAssertEqual(difference.change, .unexpected)
        XCTAssertNil(difference.expected)
        XCTAssertTrue(difference.message.contains("index public.idx_users_email still present after down"), difference.message)
    }

    func testColumnDroppedByDownIsMissingAfterDown() throws {
        let email = Key(kind: "column", name: "public.users.email")
        let afterDown = adding(email, nil, to: before)

        let difference = try XCTUnwrap(before.rollbackDifferences(afterDown: afterDown).first)

        XCTAssertEqual(difference.change, .missing)
        XCTAssertEqual(difference.expected, "text DEFAULT ''::text")
        XCTAssertNil(difference.actual)
        XCTAssertTrue(difference.message.contains("column public.users.email missing after down"), difference.message)
    }

    func testChangedDefaultIsChangedAndMessageShowsBothDefinitions() throws {
        let email = Key(kind: "column", name: "public.users.email")
        let afterDown = adding(email, "text DEFAULT 'none'::text", to: before)

        let difference = try XCTUnwrap(before.rollbackDifferences(afterDown: afterDown).first)

        XCTAssertEqual(difference.change, .changed)
        XCTAssertEqual(difference.expected, "text DEFAULT ''::text")
        XCTAssertEqual(difference.actual, "text DEFAULT 'none'::text")
        XCTAssertTrue(difference.message.contains("text DEFAULT ''::text"), difference.message)
        XCTAssertTrue(difference.message.contains("text DEFAULT 'none'::text"), difference.message)
        XCTAssertTrue(difference.message.contains("after down"), difference.message)
    }

    func testPlainDifferencesCarryNoMessage() {
        let afterDown = adding(Key(kind: "index", name: "public.i"), "x", to: before)
        XCTAssertEqual(before.differences(to: afterDown).map(\.message), [""])
    }

    func testReapplyDifferencesSpeakOfTheSecondUp() throws {
        let firstUp = adding(Key(kind: "index", name: "public.i"), "CREATE INDEX i ON t (a)", to: before)
        let secondUp = adding(Key(kind: "index", name: "public.i"), "CREATE INDEX i ON t (b)", to: before)

        let difference = try XCTUnwrap(firstUp.reapplyDifferences(secondUp: secondUp).first)

        XCTAssertEqual(difference.change, .changed)
        XCTAssertTrue(difference.message.contains("after the second up"), difference.message)
    }

    func testDifferencesAreSortedByKindThenName() {
        let expected = SchemaFingerprint(objects: [
            Key(kind: "table", name: "public.b"): "table",
            Key(kind: "column", name: "public.b.z"): "int",
        ])
        let actual = SchemaFingerprint(objects: [
            Key(kind: "table", name: "public.a"): "table",
            Key(kind: "index", name: "public.b_idx"): "btree",
            Key(kind: "column", name: "public.b.a"): "int",
            Key(kind: "column", name: "public.b.z"): "bigint",
        ])

        let differences = expected.differences(to: actual)

        XCTAssertEqual(differences.map(\.kind), ["column", "column", "index", "table", "table"])
        XCTAssertEqual(differences.map(\.name), ["public.b.a", "public.b.z", "public.b_idx", "public.a", "public.b"])
        XCTAssertEqual(differences.map(\.change), [.unexpected, .changed, .unexpected, .unexpected, .missing])
    }

    func testSameNameWithDifferentKindIsADifferentObject() {
        let asTable = SchemaFingerprint(objects: [Key(kind: "table", name: "public.x"): ""])
        let asView = SchemaFingerprint(objects: [Key(kind: "view", name: "public.x"): ""])

        XCTAssertEqual(asTable.differences(to: asView).map(\.change), [.missing, .unexpected])
    }

    func testKeysMadeApartFindEachOtherAndTheirJSONIsKindAndName() throws {
        let key = Key(kind: "index", name: "public.t_idx")
        let fingerprint = SchemaFingerprint(objects: [key: "CREATE INDEX t_idx ON public.t USING btree (a)"])
        let json = try JSONEncoder().encode(key)
        let fields = try XCTUnwrap(JSONSerialization.jsonObject(with: json) as? [String: String])

        XCTAssertEqual(fields, ["kind": "index", "name": "public.t_idx"])
        XCTAssertEqual(fingerprint.objects[try JSONDecoder().decode(Key.self, from: json)], fingerprint.objects[key])
        XCTAssertNotNil(fingerprint.objects[Key(kind: "index", name: "public.t" + "_idx")])
        XCTAssertNil(fingerprint.objects[Key(kind: "index", name: "public.t_id")])
        XCTAssertNotEqual(Key(kind: "ab", name: "c"), Key(kind: "a", name: "bc"))
    }
}

final class SchemaFingerprintRowsTests: XCTestCase {
    func testADuplicateObjectIsAnInternalErrorNeverASilentOverwrite() {
        let rows = [("constraint", "public.t.c", "CHECK (a > 0)", "public.t"), ("constraint", "public.t.c", "CHECK (a > 1)", "public.t")]
        XCTAssertThrowsError(try SchemaFingerprint(rows: rows.map { (kind: $0.0, name: $0.1, definition: $0.2, parent: $0.3) })) { error in
            XCTAssertEqual(error as? SchemaFingerprintError, .duplicateObject(kind: "constraint", name: "public.t.c"))
            XCTAssertTrue("\(error)".hasPrefix("internal error"))
        }
    }

    func testRowsKeepTheirParentTable() throws {
        let fingerprint = try SchemaFingerprint(rows: [
            (kind: "table", name: "public.t", definition: "table", parent: ""),
            (kind: "index", name: "public.t_idx", definition: "CREATE INDEX t_idx ON public.t USING btree (a)", parent: "public.t"),
        ])
        XCTAssertEqual(fingerprint.tables, ["public.t"])
        XCTAssertEqual(fingerprint.objects("index", of: "public.t").map(\.name), ["public.t_idx"])
    }
}
