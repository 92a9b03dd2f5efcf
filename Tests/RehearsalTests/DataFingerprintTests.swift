import XCTest
@testable import Rehearsal

final class DataFingerprintTests: XCTestCase {
    private func table(rows: Int64, _ columns: [String: (Int64, String)], sample: String? = nil) -> DataFingerprint.Table {
        DataFingerprint.Table(rows: rows, columns: columns.mapValues { .init(nonNull: $0.0, hash: $0.1) }, sample: sample)
    }

    private func losses(_ before: DataFingerprint.Table, _ after: DataFingerprint.Table?) -> [String] {
        DataFingerprint(tables: ["public.t": before])
            .losses(in: DataFingerprint(tables: after.map { ["public.t": $0] } ?? [:]), subject: "down", beforeLabel: "before up", afterLabel: "after down")
            .map(\.message)
    }

    func testEqualDataLosesNothing() {
        let same = table(rows: 3, ["a": (3, "1:2")])
        XCTAssertEqual(losses(same, same), [])
    }

    func testFewerRowsFewerValuesOrOtherContentsAreLosses() {
        XCTAssertEqual(losses(table(rows: 3, ["a": (3, "1:2")]), table(rows: 1, ["a": (1, "9:9")])), [
            "down does not bring back all rows of public.t: 3 before up, 1 after down",
            "down does not bring back public.t.a: 3 non-null values before up, 1 after down",
        ])
        XCTAssertEqual(losses(table(rows: 16_000, ["legacy_note": (16_000, "1:2")]), table(rows: 16_000, ["legacy_note": (0, "0:0")])), [
            "down does not bring back public.t.legacy_note: 16,000 non-null values before up, none after down",
        ])
        XCTAssertEqual(losses(table(rows: 3, ["a": (3, "1:2")]), table(rows: 3, ["a": (3, "5:6")])), [
            "down does not bring back the values of public.t.a: 3 non-null values before up and after down, with other contents",
        ])
        XCTAssertEqual(losses(table(rows: 3, ["a": (3, "1:2")]), nil), ["down does not bring back public.t: 3 rows before up, the table is gone after down"])
    }

    func testDataOnlyTheUpCreatedIsNotALoss() {
        XCTAssertEqual(losses(table(rows: 3, ["a": (3, "1:2")]), table(rows: 4, ["a": (4, "7:8"), "added": (4, "1:1")])), [])
    }

    func testASampledTableSaysSo() {
        let sampled = losses(table(rows: 10, ["a": (10, "1:2")], sample: "1 row in 16"), table(rows: 10, ["a": (0, "0:0")]))
        XCTAssertEqual(sampled, ["down does not bring back public.t.a: 10 non-null values before up, none after down (on a sample: 1 row in 16)"])
    }
}

final class DataCheckTablesTests: XCTestCase {
    func testIdentifiersAreFoldedUnlessQuoted() {
        let names = DataCheckTables.identifiers(in: ["UPDATE Orders SET \"Total\" = 1; -- and \"odd\"\"name\"\nDELETE FROM public.line_items"])
        XCTAssertTrue(names.isSuperset(of: ["orders", "Total", "odd\"name", "public", "line_items"]), "\(names)")
        XCTAssertFalse(names.contains("Orders"))
        XCTAssertEqual(DataCheckTables.identifiers(in: ["UPDATE Orders SET x = 1; INSERT INTO \"Käse\" SELECT * FROM bücher"], among: ["orders", "Käse", "bücher", "users"]),
                       ["orders", "Käse", "bücher"], "only the names asked about; non-ASCII letters are part of a word")
    }
}

final class AcceptedRiskParsingTests: XCTestCase {
    func testAcceptsAreReadWithTheirLine() {
        let file = MigrationFile(path: "/m/2_x.up.sql", fileName: "2_x.up.sql", body: """
            CREATE INDEX i ON t (a);
            -- rehearse:accept lock.index-build-blocks-writes t has 40 rows
              --rehearse:accept traffic.blocked
            SELECT '-- rehearse:accept not.a.comment' ;
            """)
        let risks = AcceptedRisk.all(in: file)
        XCTAssertEqual(risks, [
            AcceptedRisk(rule: "lock.index-build-blocks-writes", reason: "t has 40 rows", file: "/m/2_x.up.sql", line: 2),
            AcceptedRisk(rule: "traffic.blocked", reason: "", file: "/m/2_x.up.sql", line: 3),
        ])
    }

    func testAnAcceptWithoutAReasonOrForAFailureIsRefused() {
        let findings = [Finding(rule: .trafficBlocked, severity: .warning, message: "blocked"), Finding(rule: .stepFailed, severity: .error, message: "failed")]
        let risks = [
            AcceptedRisk(rule: "traffic.blocked", reason: "", file: "/m/2_x.up.sql", line: 3),
            AcceptedRisk(rule: "step.failed", reason: "we know", file: "/m/2_x.up.sql", line: 4),
            AcceptedRisk(rule: "no.such-rule", reason: "typo", file: "/m/2_x.up.sql", line: 5),
        ]
        let result = FindingRules.accepting(findings, risks: risks)
        XCTAssertEqual(result.filter { $0.rule == .acceptInvalid }.map(\.line), [3, 4, 5])
        XCTAssertEqual(result.first { $0.rule == .stepFailed }?.severity, .error, "a failing step stays an error")
        XCTAssertNil(result.first { $0.rule == .trafficBlocked }?.accepted)
    }
}
