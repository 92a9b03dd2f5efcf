import Foundation

/// Which data loader loads which COPY block of a plain dump. pg_restore -j loads a
/// custom-format archive's tables largest first, so that the longest loads and the index
/// builds behind them start early and the small tables fill the gaps at the end. A plain dump
/// can only be read in order, but each loader reads all of it: when the manifest gives the
/// tables' sizes, a loader passes a block by while a larger table it has not reached is still
/// unclaimed and another loader has yet to reach the block, which then falls to that loader.
/// The last loader to reach a block always takes it, so none is left out; without sizes
/// every block goes to the first loader to reach it. Only the tables the dump creates count
/// as ahead: a table of the manifest the dump has no data for (an extension's, made by its
/// CREATE EXTENSION) would otherwise leave every smaller table to the last loader.
final class CopyClaims: @unchecked Sendable {
    private let sizes: [String: Int64]
    private let lock = NSLock()
    private var claimed: Set<Int> = []
    private var claimedTables: Set<String> = []
    /// The block each loader considers next, and the tables of the blocks it has passed.
    private var next: [Int]
    private var passed: [Set<String>]
    /// The sized tables the dump creates, largest first (made at the first claim), and each
    /// loader's place in that list: every table before it is claimed or passed by the loader,
    /// so the place only moves forward and a claim does not look at every table again.
    private var ranking: [(table: String, size: Int64)]?
    private var place: [Int]

    /// `sizes`: bytes per table as the catalog names it (`schema.table`).
    init(loaders: Int, sizes: [String: Int64] = [:]) {
        self.sizes = sizes
        next = Array(repeating: 0, count: loaders)
        passed = Array(repeating: [], count: loaders)
        place = Array(repeating: 0, count: loaders)
    }

    /// Loader `loader` has reached block `block` (blocks count from 0 in dump order), the
    /// data of `table` (`schema.table`); `created`: the tables the dump's CREATE TABLE
    /// statements made. True: this loader loads it.
    func claim(loader: Int, block: Int, table: String?, created: Set<String>) -> Bool {
        lock.withLock {
            next[loader] = block + 1
            defer { if let table { passed[loader].insert(table) } }
            guard !claimed.contains(block) else { return false }
            if let table, let size = sizes[table], next.indices.contains(where: { $0 != loader && next[$0] <= block }),
                let largest = largestAhead(of: loader, besides: table, created: created), largest > size
            {
                return false
            }
            claimed.insert(block)
            if let table { claimedTables.insert(table) }
            return true
        }
    }

    /// The size of the largest table the dump creates that `loader` has not passed and no
    /// loader has claimed, `table` (the one it is at) aside.
    private func largestAhead(of loader: Int, besides table: String, created: Set<String>) -> Int64? {
        let ranking = ranking ?? sizes.filter { created.contains($0.key) }.map { (table: $0.key, size: $0.value) }
            .sorted { ($0.size, $1.table) > ($1.size, $0.table) }
        self.ranking = ranking
        while place[loader] < ranking.count {
            let entry = ranking[place[loader]]
            // The table the loader is at is passed once it has decided.
            guard entry.table == table || claimedTables.contains(entry.table) || passed[loader].contains(entry.table) else { return entry.size }
            place[loader] += 1
        }
        return nil
    }

    /// Loader `loader` reads no further; blocks ahead are no longer left to it.
    func leave(_ loader: Int) {
        lock.withLock { next[loader] = .max }
    }
}
