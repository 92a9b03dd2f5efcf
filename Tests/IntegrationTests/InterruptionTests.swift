import Foundation
import XCTest
@testable import Rehearsal
@testable import PostgresClient

final class InterruptionTests: XCTestCase {
    func testInterruptCancelsTheStepAndReturnsAPartialReport() throws {
        var migrations = Fixture.baseMigrations
        migrations["2_hang.up.sql"] = "SELECT pg_sleep(60);"
        migrations["2_hang.down.sql"] = "SELECT 1;"
        migrations["3_later.up.sql"] = "SELECT 1;"
        migrations["3_later.down.sql"] = "SELECT 1;"
        let fixture = try Fixture(test: self, migrations: migrations)
        let server = try TestServer.shared()
        let options = RehearsalOptions()
        let runner = RehearsalRunner(scenario: try fixture.scenario(), server: server, options: options) { event in
            if case .stepStarted(2, _, .up, 1) = event {
                let token = options.interruption
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.3) { token.interrupt() }
            }
        }
        let partial = runner.run()
        XCTAssertTrue(partial.interrupted)
        XCTAssertEqual(partial.exitCode, 3)
        XCTAssertEqual(partial.migrations.map(\.status), [.failed, .notRun])
        XCTAssertEqual(partial.migrations.map(\.verdict), [.fail, .notRun])
        XCTAssertEqual(partial.migrations.last?.notRunReason, ProductionPath.interruptedReason)
        XCTAssertEqual(partial.migrations.first?.steps.first?.interrupted, true)
        XCTAssertTrue(partial.migrations[0].findings.contains { $0.rule == .runInterrupted })
        XCTAssertEqual(partial.verdict, .fail)
        XCTAssertNil(runner.scratchDatabase, "the scratch database is dropped")
    }
}

final class RestoreInterruptionTests: XCTestCase {
    /// The fixture dump with `rows` rows in public.items, edited by `edit`, and a pending migration.
    private func fixture(rows: Int, editing edit: (String) -> String = { $0 }) throws -> Fixture {
        let data = (1...rows).map { "\($0)\trow \($0)\t\\N" }.joined(separator: "\n")
        let dump = Fixture.dump.replacingOccurrences(of: "1\tone\t\\N\n2\ttwo;\tx\n3\tthree\t$$", with: data)
        var migrations = Fixture.baseMigrations
        migrations["2_x.up.sql"] = "SELECT 1;"
        return try Fixture(test: self, dump: edit(dump), migrations: migrations)
    }

    private func assertNothingLeft(of fixture: Fixture, on server: EmbeddedCluster) throws {
        let snapshot = try Snapshot.open(fixture.directory + "/snapshot.sql.zst")
        let left = try ScratchDatabases(server: server).list().map(\.name).filter {
            $0.hasPrefix(TemplateCache.templateName(for: snapshot)) || $0.hasPrefix(ScratchDatabases.scratchPrefix)
        }
        XCTAssertEqual(left, [], "neither a half template nor a scratch database is left")
        XCTAssertFalse(server.isLoading, "the server is back on production-like settings")
    }

    func testInterruptDuringRestoreLeavesNoTemplateAndNoScratchDatabase() throws {
        let fixture = try fixture(rows: 300_000)
        let server = try TestServer.shared()
        let options = RehearsalOptions()
        let runner = RehearsalRunner(scenario: try fixture.scenario(), server: server, options: options) { event in
            if case .restoring = event { options.interruption.interrupt() }
        }
        let partial = runner.run()
        XCTAssertTrue(partial.interrupted, "an interrupt during the restore still ends in a report")
        XCTAssertEqual(partial.exitCode, 3)
        try assertNothingLeft(of: fixture, on: server)
    }

    /// Ctrl-C while the indexes are built cancels them instead of waiting: here the one
    /// index would take a minute (6000 rows, 10 ms each).
    func testInterruptDuringIndexBuildsCancelsThemAndLeavesNothing() throws {
        let fixture = try fixture(rows: 6000) { dump in
            dump.replacingOccurrences(of: "CREATE TABLE public._schema_migrations", with: """
                CREATE FUNCTION public.slow(i integer) RETURNS integer LANGUAGE plpgsql IMMUTABLE
                    AS $$ BEGIN PERFORM pg_sleep(0.01); RETURN i; END $$;
                CREATE TABLE public._schema_migrations
                """)
            .replacingOccurrences(of: "GRANT SELECT", with: "CREATE INDEX items_slow ON public.items USING btree (public.slow(id));\nGRANT SELECT")
        }
        let server = try TestServer.shared()
        let options = RehearsalOptions()
        let runner = RehearsalRunner(scenario: try fixture.scenario(), server: server, options: options) { event in
            // Once the data is in, the index is being built; give it half a second.
            if case .restoring(let progress) = event, progress.dataLoaded, progress.jobsTotal > 0 {
                let token = options.interruption
                DispatchQueue.global().asyncAfter(deadline: .now() + 0.5) { token.interrupt() }
            }
        }
        let finished = expectation(description: "the run ends")
        let outcome = LockedBox<RehearsalReport?>(nil)
        nonisolated(unsafe) let running = runner  // used by that thread alone from here
        DispatchQueue.global().async {
            outcome.value = running.run()
            finished.fulfill()
        }
        wait(for: [finished], timeout: 30)
        XCTAssertEqual(outcome.value?.interrupted, true)
        try assertNothingLeft(of: fixture, on: server)
    }
}
