import Foundation
import XCTest
@testable import Rehearsal

final class ScratchDatabasesTests: XCTestCase {
    func testDatabaseWithoutMarkerIsNeverDropped() throws {
        let server = try TestServer.shared()
        let admin = try server.connect(database: nil)
        let foreign = "rehearse_run_foreign_\(getpid())"
        try admin.execute("CREATE DATABASE \(foreign)")
        defer { _ = admin.runScript("DROP DATABASE IF EXISTS \(foreign)") }
        let databases = ScratchDatabases(server: server)
        for name in [foreign, "postgres", "template1"] {
            XCTAssertThrowsError(try databases.drop(name)) { error in
                guard case .notOurs(let database)? = error as? ClusterError else { return XCTFail("\(error)") }
                XCTAssertEqual(database, name)
            }
        }
        XCTAssertTrue(try databases.exists(foreign))
    }

    func testScratchDatabaseCarriesMarkerAndIsDropped() throws {
        let server = try TestServer.shared()
        let databases = ScratchDatabases(server: server)
        let name = ScratchDatabases.scratchName(scenario: "Marker Test!")
        XCTAssertTrue(name.hasPrefix("rehearse_run_marker_test__"), name)
        XCTAssertLessThanOrEqual(name.utf8.count, 63)
        try databases.create(name, purpose: "test")
        XCTAssertTrue(try databases.list().contains { $0.name == name })
        try databases.drop(name)
        XCTAssertFalse(try databases.exists(name))
    }

    func testEmbeddedServerListensOnPrivateSocketOnly() throws {
        let server = try TestServer.shared()
        let connection = try server.connect(database: nil)
        XCTAssertEqual(try connection.scalar("SHOW listen_addresses"), "")
        let socket = try XCTUnwrap(server.socketDirectory)
        let attributes = try FileManager.default.attributesOfItem(atPath: socket)
        XCTAssertEqual((attributes[.posixPermissions] as? NSNumber)?.intValue, 0o700)
    }
}
