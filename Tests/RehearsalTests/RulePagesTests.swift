import Foundation
import XCTest
@testable import Rehearsal

/// docs/rules holds a page for every rule the code can emit: what it means, why it matters,
/// and the safe way as SQL; the index lists them all.
final class RulePagesTests: XCTestCase {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func testEveryRuleHasAPageWithTheSafeWayAsSQL() throws {
        let index = try String(contentsOf: Self.root.appendingPathComponent("docs/rules/README.md"), encoding: .utf8)
        for rule in Rule.allCases {
            let url = Self.root.appendingPathComponent(rule.documentation)
            guard let page = try? String(contentsOf: url, encoding: .utf8) else {
                XCTFail("\(rule) has no page at \(rule.documentation)")
                continue
            }
            XCTAssertTrue(page.hasPrefix("# `\(rule.rawValue)`"), "\(rule): title")
            for section in ["## What it means", "## Why it matters", "## The safe way", "```sql\n"] {
                XCTAssertTrue(page.contains(section), "\(rule.documentation) lacks \(section)")
            }
            XCTAssertTrue(index.contains("(\(rule.rawValue).md)"), "docs/rules/README.md does not list \(rule)")
        }
        let pages = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("docs/rules").path)
            .filter { $0 != "README.md" }.map { String($0.dropLast(3)) }
        XCTAssertEqual(Set(pages), Set(Rule.allCases.map(\.rawValue)), "a page for a rule the code no longer has")
    }
}
