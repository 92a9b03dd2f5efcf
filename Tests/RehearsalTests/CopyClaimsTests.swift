import XCTest
@testable import Rehearsal

final class CopyClaimsTests: XCTestCase {
    /// Loaders reading `blocks` (tables in dump order) side by side: each moves on at once
    /// past a block it leaves and after `cost` of a block it loads; the one furthest behind
    /// in time moves next (ties: the lower number). Returns each loader's tables in order.
    private func simulate(
        _ blocks: [String?], loaders: Int, sizes: [String: Int64], created: Set<String>? = nil, cost: (String?) -> Int64
    ) -> [[String?]] {
        let claims = CopyClaims(loaders: loaders, sizes: sizes)
        var clock = [Int64](repeating: 0, count: loaders)
        var position = [Int](repeating: 0, count: loaders)
        var loaded = [[String?]](repeating: [], count: loaders)
        while let loader = (0..<loaders).filter({ position[$0] < blocks.count }).min(by: { (clock[$0], $0) < (clock[$1], $1) }) {
            let block = position[loader]
            let table = blocks[block]
            if claims.claim(loader: loader, block: block, table: table, created: created ?? Set(blocks.compactMap { $0 })) {
                loaded[loader].append(table)
                clock[loader] += cost(table)
            }
            position[loader] += 1
            if position[loader] == blocks.count { claims.leave(loader) }
        }
        return loaded
    }

    /// The demo's dump order and manifest sizes (scale 12): the two largest tables load side
    /// by side from the start, the mid-sized one after the first of them, the small ones last.
    func testTheLargestTablesLoadFirstOnePerLoader() {
        let sizes: [String: Int64] = [
            "public._schema_migrations": 57_344, "public.clips": 450_306_048, "public.comments": 236_642_304,
            "public.favorites": 445_276_160, "public.users": 45_023_232,
        ]
        let order = ["public._schema_migrations", "public.clips", "public.comments", "public.favorites", "public.users"]
        let loaded = simulate(order, loaders: 2, sizes: sizes) { sizes[$0!]! }
        XCTAssertEqual(loaded[0], ["public.clips", "public.comments"])
        XCTAssertEqual(loaded[1], ["public._schema_migrations", "public.favorites", "public.users"])

        let inDumpOrder = simulate(order, loaders: 2, sizes: [:]) { sizes[$0!]! }
        XCTAssertEqual(inDumpOrder[0], ["public._schema_migrations", "public.comments", "public.favorites"],
                       "without sizes, the first loader to reach a block takes it")
        XCTAssertEqual(inDumpOrder[1], ["public.clips", "public.users"])
    }

    /// The case it is for: the largest table last in the dump. In dump order it starts only
    /// once a loader is done with a table before it (loads end at 350 of 450 units of work);
    /// largest first, it starts at once and the two others load beside it (250).
    func testALargestTableLateInTheDumpStartsFirst() {
        let sizes: [String: Int64] = ["public.big1": 100, "public.big2": 100, "public.huge": 250]
        let order = ["public.big1", "public.big2", "public.huge"]
        XCTAssertEqual(simulate(order, loaders: 2, sizes: sizes) { sizes[$0!]! }, [["public.huge"], ["public.big1", "public.big2"]])
        XCTAssertEqual(simulate(order, loaders: 2, sizes: [:]) { sizes[$0!]! }, [["public.big1", "public.huge"], ["public.big2"]])
    }

    /// A table of the manifest that the dump does not create (an extension's) holds no
    /// block back: without that rule every table smaller than it went to the last loader.
    func testATableTheDumpDoesNotCreateIsNotWaitedFor() {
        let sizes: [String: Int64] = ["public.a": 100, "public.b": 50, "public.spatial_ref_sys": 1000]
        let order = ["public.a", "public.b"]
        XCTAssertEqual(simulate(order, loaders: 2, sizes: sizes, created: ["public.a", "public.b"]) { sizes[$0!]! }, [["public.a"], ["public.b"]])
        XCTAssertEqual(simulate(order, loaders: 2, sizes: sizes, created: Set(sizes.keys)) { sizes[$0!]! }, [[], ["public.a", "public.b"]],
                       "what the rule prevents")
        XCTAssertEqual(CopyHeader.tableCreated(by: "CREATE TABLE public.\"My T\" (\n    a integer\n);"), "public.My T")
        XCTAssertEqual(CopyHeader.parse("COPY public.\"My T\" (a) FROM stdin;")?.table, "public.My T",
                       "a block's table and the created table are named alike, or the block would be waited for")
        XCTAssertEqual(CopyHeader.tableCreated(by: "CREATE UNLOGGED TABLE public.u (a integer);"), "public.u")
        XCTAssertNil(CopyHeader.tableCreated(by: "CREATE FOREIGN TABLE public.f (a integer) SERVER s;"))
        XCTAssertNil(CopyHeader.tableCreated(by: "CREATE INDEX i ON public.t (a);"))
    }

    /// Whatever the order the loaders move in, every block is loaded exactly once: also when
    /// the manifest names tables the dump has no data for, or the dump has blocks it does not
    /// name, or a table twice.
    func testEveryBlockIsLoadedOnceInAnyInterleaving() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<500 {
            let loaders = Int.random(in: 1...4, using: &generator)
            let tables = (0..<Int.random(in: 0...8, using: &generator)).map { "public.t\($0)" }
            var blocks: [String?] = tables.shuffled(using: &generator)
            blocks += [nil, "public.t0", "public.unknown"].filter { _ in Bool.random(using: &generator) }
            blocks.shuffle(using: &generator)
            var sizes: [String: Int64] = [:]
            for table in tables + ["public.absent"] where Bool.random(using: &generator) || table == "public.absent" {
                sizes[table] = Int64.random(in: 1...1000, using: &generator)
            }
            let costs = blocks.map { _ in Int64.random(in: 0...100, using: &generator) }
            var index = 0
            let loaded = simulate(blocks, loaders: loaders, sizes: sizes) { _ in
                defer { index += 1 }
                return costs[index % max(costs.count, 1)]
            }
            XCTAssertEqual(loaded.flatMap { $0 }.count, blocks.count, "round \(round): \(blocks), \(sizes), \(loaders) loaders: \(loaded)")
            XCTAssertEqual(loaded.flatMap { $0 }.compactMap { $0 }.sorted(), blocks.compactMap { $0 }.sorted(), "round \(round)")
        }
    }
}
