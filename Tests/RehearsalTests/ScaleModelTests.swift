import XCTest
@testable import Rehearsal

final class ScaleModelTests: XCTestCase {
    private func step(durationMs: Double, locks: [(String, String)]) -> StepReport {
        var step = StepReport(direction: .up, pass: 1, status: .ok, durationMs: durationMs)
        step.locks = locks.map { ObservedLock(relation: $0.0, relationKind: "table", mode: $0.1, firstSeenMs: 0, lastSeenMs: durationMs, granted: true) }
        return step
    }

    private typealias Key = SchemaFingerprint.Key
    private let rows: [String: Int64] = ["public.clips": 300_000, "public.users": 20_000]

    private func schema(_ objects: [(Key, String, String?)]) -> SchemaFingerprint {
        var all: [Key: String] = [Key(kind: "table", name: "public.clips"): "table", Key(kind: "table", name: "public.users"): "table"]
        var parents: [Key: String] = [:]
        for (key, definition, parent) in objects {
            all[key] = definition
            parents[key] = parent
        }
        return SchemaFingerprint(objects: all, parents: parents)
    }

    private func scale(_ step: StepReport, before: SchemaFingerprint, after: SchemaFingerprint, production: [String: Int64] = [:]) -> StepScale? {
        ScaleModel.scale(of: step, work: ScaleModel.work(of: step, before: before, after: after, rows: rows), rows: rows, production: production)
    }

    func testAnIndexBuildScalesWithItsTableAndProductionRowsGiveTheEstimate() throws {
        let index = Key(kind: "index", name: "public.idx_clips_created_at")
        let after = schema([(index, "CREATE INDEX idx_clips_created_at ON public.clips USING btree (created_at)", "public.clips")])
        let found = try XCTUnwrap(scale(
            step(durationMs: 150, locks: [("public.users", "AccessShareLock"), ("public.clips", "ShareLock")]),
            before: schema([]), after: after, production: ["public.clips": 30_000_000]))
        XCTAssertEqual(found.table, "public.clips")
        XCTAssertEqual(found.rows, 300_000)
        XCTAssertEqual(found.work, "builds index public.idx_clips_created_at on public.clips")
        XCTAssertEqual(found.rowsPerSecond ?? 0, 2_000_000, accuracy: 1)
        XCTAssertEqual(found.estimatedProductionMs ?? 0, 15_000, accuracy: 0.001, "100 times the rows, 100 times the time")
        XCTAssertEqual(found.factor ?? 0, 100, accuracy: 0.001)
        XCTAssertNotNil(found.assumption)
    }

    func testWithoutProductionRowsThereIsNoEstimate() throws {
        var rewriting = step(durationMs: 12, locks: [("public.clips", "AccessExclusiveLock")])
        rewriting.rewrote = [Rewrite(relation: "public.clips", kind: "table", table: "public.clips", bytesBefore: 1, bytesAfter: 2)]
        let found = try XCTUnwrap(scale(rewriting, before: schema([]), after: schema([])))
        XCTAssertEqual(found.work, "rewrites table public.clips")
        XCTAssertNil(found.estimatedProductionMs)
    }

    func testACatalogOnlyStepDoesNotScaleHoweverLongItTook() {
        let column = Key(kind: "column", name: "public.clips.note")
        XCTAssertNil(scale(
            step(durationMs: 900, locks: [("public.clips", "AccessExclusiveLock")]),
            before: schema([]), after: schema([(column, "text", "public.clips")]), production: ["public.clips": 30_000_000]),
            "adding a nullable column takes the same time on any size: a slow machine must not make it scale")
    }

    func testATracedStatementsRewriteIsTheStepsOneWorkItemNotASecond() {
        let rewrite = Rewrite(relation: "public.clips", kind: "table", table: "public.clips", bytesBefore: 1, bytesAfter: 2)
        var altering = step(durationMs: 12, locks: [("public.clips", "AccessExclusiveLock")])
        altering.rewrote = [rewrite]
        var statement = StatementReport(line: 1, command: "ALTER TABLE")
        statement.rewrote = [rewrite, Rewrite(relation: "public.clips_pkey", kind: "index", table: "public.clips", bytesBefore: 1, bytesAfter: 1)]
        altering.statements = [statement]
        XCTAssertEqual(
            ScaleModel.work(of: altering, before: schema([]), after: schema([]), rows: rows).map(\.what),
            ["rewrites table public.clips", "rewrites index public.clips_pkey"])
    }

    func testAnIndexRewriteScalesWithTheTableItBelongsTo() throws {
        var reindex = step(durationMs: 40, locks: [("public.clips", "ShareLock")])
        reindex.rewrote = [Rewrite(relation: "public.clips_pkey", kind: "index", table: "public.clips", bytesBefore: 1, bytesAfter: 1)]
        XCTAssertEqual(try XCTUnwrap(scale(reindex, before: schema([]), after: schema([]))).table, "public.clips")
    }

    func testAValidatedConstraintScalesAndANotValidOneDoesNot() {
        let check = Key(kind: "constraint", name: "public.clips.clips_views_check")
        let valid = schema([(check, "CHECK ((views >= 0))", "public.clips")])
        let notValid = schema([(check, "CHECK ((views >= 0)) NOT VALID", "public.clips")])
        let adding = step(durationMs: 80, locks: [("public.clips", "AccessExclusiveLock")])
        XCTAssertEqual(scale(adding, before: schema([]), after: valid)?.work, "checks every row of public.clips for constraint public.clips.clips_views_check")
        XCTAssertNil(scale(adding, before: schema([]), after: notValid))
        XCTAssertNotNil(scale(adding, before: notValid, after: valid), "VALIDATE CONSTRAINT reads every row")
    }

    func testADataChangeScalesWhenItTouchesAShareOfTheTable() {
        func update(_ touched: Int64) -> StepReport {
            var step = step(durationMs: 50, locks: [("public.clips", "RowExclusiveLock")])
            step.statements = [StatementReport(line: 1, command: "UPDATE", rows: touched)]
            return step
        }
        XCTAssertEqual(scale(update(300_000), before: schema([]), after: schema([]))?.work, "UPDATE of 300000 rows of public.clips")
        XCTAssertNil(scale(update(3), before: schema([]), after: schema([])), "three rows by key take the same time on any size")
    }

    func testATableTheStepCreatedDoesNotScale() {
        let index = Key(kind: "index", name: "public.idx_new")
        let after = schema([(Key(kind: "table", name: "public.created_now"), "table", nil), (index, "CREATE INDEX idx_new ON public.created_now USING btree (id)", "public.created_now")])
        XCTAssertNil(scale(step(durationMs: 12, locks: [("public.created_now", "ShareLock")]), before: schema([]), after: after))
    }

    func testScenarioReadsProductionRowsQualifyingBareNames() throws {
        let scenario = try Scenario.parse(
            "name: s\nsnapshot: s.sql.zst\nmigrations: m\nproduction_rows:\n  clips: 40_000_000\n  audit.events: 12\n", file: "/tmp/s.yaml")
        XCTAssertEqual(scenario.productionRows, ["public.clips": 40_000_000, "audit.events": 12])
        XCTAssertThrowsError(try Scenario.parse("name: s\nsnapshot: s\nmigrations: m\nproduction_rows:\n  clips: many\n", file: "/tmp/s.yaml")) { error in
            XCTAssertEqual((error as? ScenarioError)?.key, "production_rows.clips")
        }
    }
}
