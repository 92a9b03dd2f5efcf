import XCTest
@testable import Rehearsal

final class AdvisoryLockTests: XCTestCase {
    /// golang-migrate's `advisoryLockIDSalt`.
    private let salt: UInt32 = 1_486_364_155

    func testCRC32OfTheStandardCheckStringIsCBF43926() {
        XCTAssertEqual(CRC32.checksum(Array("123456789".utf8)), 0xCBF4_3926)
    }

    func testCRC32OfEmptyInputIsZero() {
        XCTAssertEqual(CRC32.checksum([]), 0)
    }

    func testKeyIsCRCOfSchemaTableDatabaseTimesTheSaltWrapping() {
        // zlib.crc32(b"public\0schema_migrations\0app") == 0xBA5347A8
        let crc: UInt32 = 0xBA53_47A8
        XCTAssertEqual(CRC32.checksum(Array("public\u{0}schema_migrations\u{0}app".utf8)), crc)

        let key = AdvisoryLock.key(schema: "public", table: "schema_migrations", database: "app")

        XCTAssertEqual(key, crc &* salt)
        // The number golang-migrate passes to pg_advisory_lock for this database.
        XCTAssertEqual(key, 1_787_120_056)
    }

    func testDifferentTablesSchemasAndDatabasesGiveDifferentKeys() {
        let base = AdvisoryLock.key(schema: "public", table: "schema_migrations", database: "app")
        let otherTable = AdvisoryLock.key(schema: "public", table: "other_migrations", database: "app")
        let otherSchema = AdvisoryLock.key(schema: "audit", table: "schema_migrations", database: "app")
        let otherDatabase = AdvisoryLock.key(schema: "public", table: "schema_migrations", database: "app2")

        XCTAssertEqual(otherTable, 0x8DD5_6BC3 &* salt)
        XCTAssertEqual(otherSchema, 0x76A2_3AD9 &* salt)
        XCTAssertEqual(otherDatabase, 0xC262_C690 &* salt)
        XCTAssertEqual(Set([base, otherTable, otherSchema, otherDatabase]).count, 4)
    }

    func testNulSeparatorKeepsSchemaAndTableApart() {
        // Without the separator "ab" + "c" and "a" + "bc" would hash the same.
        XCTAssertNotEqual(
            AdvisoryLock.key(schema: "ab", table: "c", database: "d"),
            AdvisoryLock.key(schema: "a", table: "bc", database: "d"))
    }
}
