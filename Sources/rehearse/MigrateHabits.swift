/// golang-migrate's command line typed at rehearse (`rehearse -path db -database URL up`):
/// one line saying what to type instead, never help text with exit 0 (ArgumentParser would
/// read `-path` as `-p -a -t -h` and print help).
enum MigrateHabits {
    static let run = "rehearse run --snapshot BACKUP --migrations DIR"

    /// The message for the first migrate habit in `arguments` (without the program name).
    static func mistake(in arguments: [String]) -> String? {
        for argument in arguments {
            if argument == "--" { break }
            guard argument.hasPrefix("-"), !argument.hasPrefix("--"), argument.count > 2 else { continue }
            let flag = String(argument.dropFirst().prefix { $0 != "=" })
            switch flag {
            case "path", "source":
                return "-\(flag) is migrate's flag; rehearse takes the migrations directory as --migrations DIR: \(run)"
            case "database":
                return "-database is migrate's flag, and rehearse never migrates that database: give last night's backup with --snapshot (it is restored into a scratch database), or a server to rehearse on with --database-url URL: \(run)"
            case "help":
                return "-help is migrate's spelling; rehearse's is --help (or -h)"
            default:
                guard flag.allSatisfy({ $0.isLetter || $0 == "-" }), flag.count > 1 else { continue }
                return "-\(flag) is not an option; rehearse's long options take two dashes (--\(flag)); see rehearse --help"
            }
        }
        guard let verb = arguments.first(where: { !$0.hasPrefix("-") && !$0.contains("/") && !$0.contains(":") }) else { return nil }
        switch verb {
        case "up", "down", "goto", "drop":
            return "`\(verb)` is a migrate command; rehearse never changes your database. It rehearses every pending migration's up, down and up again, and the release's rollback, on a copy of a backup: \(run)"
        case "version":
            return "`version` is a migrate command; `rehearse plan` shows the backup's recorded version and the pending migrations (rehearse --version prints rehearse's own)"
        case "force":
            return "`force` is a migrate command; rehearse never writes to your tracking table. It rehearses on a copy of a backup: \(run)"
        default:
            return nil
        }
    }
}
