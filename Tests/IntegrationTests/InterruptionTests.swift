import Foundation
import XCTest
@testable import Rehearsal

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
        XCTAssertThrowsError(try runner.run()) { error in
            guard let partial = (error as? RehearsalInterrupted)?.partial else { return XCTFail("\(error)") }
            XCTAssertTrue(partial.interrupted)
            XCTAssertEqual(partial.migrations.map(\.status), [.failed, .notRun])
            XCTAssertEqual(partial.migrations.first?.steps.first?.interrupted, true)
            XCTAssertTrue(partial.migrations[0].findings.contains { $0.rule == "run.interrupted" })
            XCTAssertEqual(partial.verdict, .fail)
        }
        XCTAssertNil(runner.scratchDatabase, "the scratch database is dropped")
    }
}

final class RestoreInterruptionTests: XCTestCase {
    func testInterruptDuringRestoreLeavesNoTemplateAndNoScratchDatabase() throws {
        let rows = (1...300_000).map { "\($0)\trow \($0)\t\\N" }.joined(separator: "\n")
        let dump = Fixture.dump.replacingOccurrences(of: "1\tone\t\\N\n2\ttwo;\tx\n3\tthree\t$$", with: rows)
        var migrations = Fixture.baseMigrations
        migrations["2_x.up.sql"] = "SELECT 1;"
        let fixture = try Fixture(test: self, dump: dump, migrations: migrations)
        let server = try TestServer.shared()
        let options = RehearsalOptions()
        let runner = RehearsalRunner(scenario: try fixture.scenario(), server: server, options: options) { event in
            if case .restoring = event { options.interruption.interrupt() }
        }
        XCTAssertThrowsError(try runner.run()) { error in
            XCTAssertTrue(error is RehearsalInterrupted || options.interruption.isInterrupted, "\(error)")
        }
        let snapshot = try Snapshot.open(fixture.directory + "/snapshot.sql.zst")
        let left = try ScratchDatabases(server: server).list().map(\.name).filter {
            $0.hasPrefix(TemplateCache.templateName(for: snapshot)) || $0.hasPrefix(ScratchDatabases.scratchPrefix)
        }
        XCTAssertEqual(left, [], "neither a half template nor a scratch database is left")
        XCTAssertFalse(server.isLoading, "the server is back on production-like settings")
    }
}
