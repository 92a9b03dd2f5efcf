import Foundation

/// The `rehearse.yaml` that `rehearse init` writes: every key with its default and what it
/// means, ready to run. Optional sections are there commented out, with an example.
public enum ScenarioTemplate {
    /// `snapshot` and `migrations` as the file should hold them (relative to the file).
    public static func text(name: String, snapshot: String, migrations: String) -> String {
        let budgets = Budgets()
        let traffic = TrafficSpec()
        // The defaults as the parser has them, so the file can never disagree with them.
        let defaults = try! Scenario.parse("name: n\nsnapshot: s\nmigrations: m\n", file: "defaults")
        return """
            # rehearse scenario, written by `rehearse init`. Run it with `rehearse run`.
            # Every key is shown with its default; paths are relative to this file.

            # Name used in report titles and the reports/ folder.
            name: \(quoted(name))

            # The production-like backup to rehearse on: a pg_dump in any format (plain SQL,
            # .sql.zst, .sql.gz, --format=custom, directory or tar), told by its content.
            snapshot: \(quoted(snapshot))

            # golang-migrate's source directory ({version}_{name}.up.sql / .down.sql).
            migrations: \(quoted(migrations))

            # migrate's x-migrations-table. Unset: the table of migrate's shape (version, dirty)
            # found in the snapshot, schema_migrations first; "schema"."table" is the quoted form.
            # tracking_table: schema_migrations

            # How migrate's postgres driver sends each file: whole-file (one simple query, one
            # implicit transaction; migrate's default) or multi-statement (x-multi-statement).
            mode: \(defaults.mode.rawValue)

            # Settings production's migrate session uses, set before the first file.
            # session:
            #   lock_timeout: 5s
            #   statement_timeout: 0

            # Cancel one up or down step that runs longer than this (unset: no limit).
            # step_timeout: 5m

            # Limits; a step over one is a finding, judged at production's size when it is known.
            budgets:
              step_duration: \(duration(budgets.stepDuration))      # longest acceptable up or down step
              down_slower_factor: \(number(budgets.downSlowerFactor))   # a down this many times slower than its up is a warning
              lock_hold: \(duration(budgets.lockHold))         # longest hold of a lock that blocks the application
              traffic_blocked: \(duration(budgets.trafficBlocked))   # longest an application query may wait on the migration

            # Production's row counts per table, when the snapshot is smaller than production:
            # durations and lock holds are then judged on the production estimate.
            # (Unset: the source row counts `rehearse snapshot create` recorded, if any.)
            # production_rows:
            #   public.orders: 40_000_000

            # Which tables' data each down must bring back: touched (those the migration wrote,
            # altered or dropped), all, or off.
            data_check: \(defaults.dataCheck.rawValue)

            # Above this many rows a table's data is compared on a deterministic sample.
            data_check_rows: \(defaults.dataCheckRows)

            # After the last migration, roll the whole release back (migrate goto the snapshot's
            # version) under traffic and forward again.
            release_rollback: \(defaults.releaseRollback)

            # The application's traffic while migrating: the deployed code's queries, with keys
            # drawn from the snapshot's rows. Unset: no traffic.
            # traffic:
            #   connections: \(traffic.connections)
            #   rate: \(number(traffic.rate))/s              # queries per second over all connections
            #   baseline: \(duration(traffic.baseline))             # traffic alone first, for normal latency
            #   soak: \(duration(traffic.soak))                 # traffic after each up, against the new schema
            #   queries:
            #     - name: order_page
            #       sql: SELECT id, total FROM orders WHERE id = $1
            #       params: [random id from orders]
            #       weight: 1
            #   long_transactions:
            #     - name: report
            #       sql: SELECT count(*) FROM orders
            #       hold: 3s

            """
    }

    /// Seconds as the scenario writes them: 3m, 2s, 500ms.
    static func duration(_ seconds: Double) -> String {
        if seconds >= 60, seconds.truncatingRemainder(dividingBy: 60) == 0 { return "\(Int(seconds / 60))m" }
        if seconds >= 1, seconds.rounded() == seconds { return "\(Int(seconds))s" }
        return "\(Int((seconds * 1000).rounded()))ms"
    }

    static func number(_ value: Double) -> String {
        value.rounded() == value ? String(Int(value)) : String(value)
    }

    /// A YAML scalar in single quotes, so paths and names are read as written.
    public static func quoted(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
