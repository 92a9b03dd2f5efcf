import XCTest
@testable import Rehearsal
@testable import PostgresClient

final class ConnectionTargetTests: XCTestCase {
    func testURLPasswordIsReplaced() {
        XCTAssertEqual(ConnectionTarget.redactSecrets(in: "postgres://u:secret@h/db"), "postgres://u:***@h/db")
    }

    func testPostgresqlSchemeWithPortIsRedactedToo() {
        XCTAssertEqual(
            ConnectionTarget.redactSecrets(in: "postgresql://app:s3cr3t@db.internal:5432/app?sslmode=require"),
            "postgresql://app:***@db.internal:5432/app?sslmode=require")
    }

    func testKeywordPasswordIsReplaced() {
        XCTAssertEqual(
            ConnectionTarget.redactSecrets(in: "host=h password=secret dbname=x"),
            "host=h password=*** dbname=x")
    }

    func testQuotedKeywordPasswordWithSpacesIsReplacedWhole() {
        XCTAssertEqual(
            ConnectionTarget.redactSecrets(in: "host=h password='se cret' dbname=x"),
            "host=h password=*** dbname=x")
    }

    func testPasswordQueryParameterIsReplaced() {
        XCTAssertEqual(
            ConnectionTarget.redactSecrets(in: "postgres://u@h/db?password=secret&sslmode=disable"),
            "postgres://u@h/db?password=***&sslmode=disable")
    }

    func testURLWithoutPasswordIsLeftAlone() {
        for url in ["postgres://u@h/db", "postgres://u@h:5432/db", "postgres://h:5432/db", "postgres://h/db", "postgresql:///db?host=/tmp"] {
            XCTAssertEqual(ConnectionTarget.redactSecrets(in: url), url)
        }
    }

    func testSecretDoesNotSurviveInAnErrorMessage() {
        let message = "could not connect to postgres://admin:hunter2@10.0.0.1/prod: timeout"
        let redacted = ConnectionTarget.redact(message)

        XCTAssertFalse(redacted.contains("hunter2"), redacted)
        XCTAssertTrue(redacted.contains("postgres://admin:***@10.0.0.1/prod"), redacted)
    }
}
