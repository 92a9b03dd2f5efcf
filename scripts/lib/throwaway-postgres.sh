# Shared by scripts that need a short-lived PostgreSQL server of their own (bench).
# Source it; it defines functions and sets nothing until they are called.
#
#   pg_find_bindir              newest installed server bin directory ($PG_BINDIR wins), or ""
#   pg_throwaway_init BINDIR    checks the binaries; sets PG_BIN and PG_AS_SERVER, the command
#                               prefix that runs the server as the `postgres` account when root
#                               (initdb refuses to run as root)
#   pg_throwaway_start WORK CONF
#                               initdb into WORK/data and start a server that listens only on a
#                               unix socket in WORK/sock (0700, no TCP); CONF is appended to
#                               postgresql.conf. WORK must exist and be empty-ish; it is handed
#                               to the server account. Sets PG_SOCK, PG_DATA, PG_SERVER_UP=1.
#   pg_throwaway_stop [MODE]    stops it (pg_ctl -m MODE, default immediate); safe to call
#                               twice and from an EXIT trap. Removing WORK is the caller's job.
#
# Functions return non-zero with a message on stderr instead of exiting, so the caller's
# own die/cleanup conventions stay in charge.

pg_find_bindir() {
    if [[ -n "${PG_BINDIR:-}" ]]; then echo "$PG_BINDIR"; return 0; fi
    local d best=""
    # The newest installed major (numeric sort: 9.6 < 10 < 15).
    best="$(for d in /usr/lib/postgresql/*/bin; do
                if [[ -x "$d/initdb" ]]; then echo "$d"; fi
            done | sort -t/ -k5,5n | tail -n1)"
    if [[ -z "$best" ]] && command -v pg_config >/dev/null; then
        d="$(pg_config --bindir 2>/dev/null || true)"
        if [[ -n "$d" && -x "$d/initdb" ]]; then best="$d"; fi
    fi
    echo "$best"
}

pg_throwaway_init() {
    PG_BIN="$1"
    local tool
    for tool in initdb pg_ctl psql; do
        if [[ -z "$PG_BIN" || ! -x "$PG_BIN/$tool" ]]; then
            echo "no PostgreSQL server binaries found (set PG_BINDIR)" >&2
            return 1
        fi
    done
    PG_AS_SERVER=()
    if [[ $EUID -eq 0 ]]; then
        if ! id postgres >/dev/null 2>&1; then
            echo "running as root needs a 'postgres' account to run the server" >&2
            return 1
        fi
        PG_AS_SERVER=(runuser -u postgres --)
    fi
    PG_SERVER_UP=0
}

pg_throwaway_start() {
    local work="$1" conf="$2"
    PG_DATA="$work/data"
    PG_SOCK="$work/sock"
    PG_WORK="$work"
    mkdir -m 0700 "$PG_DATA" "$PG_SOCK"
    if [[ $EUID -eq 0 ]]; then chown -R postgres: "$work"; fi
    chmod 0700 "$work"
    if ! "${PG_AS_SERVER[@]}" "$PG_BIN/initdb" -D "$PG_DATA" -U postgres -A trust -E UTF8 --no-locale --no-sync \
            >"$work/initdb.log" 2>&1; then
        cat "$work/initdb.log" >&2
        echo "initdb failed" >&2
        return 1
    fi
    {
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$PG_SOCK'"
        echo "unix_socket_permissions = 0700"
        printf '%s\n' "$conf"
    } >>"$PG_DATA/postgresql.conf"
    if ! "${PG_AS_SERVER[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -l "$work/server.log" -w -t 60 start >/dev/null; then
        cat "$work/server.log" >&2 || true
        echo "PostgreSQL did not start" >&2
        return 1
    fi
    PG_SERVER_UP=1
}

pg_throwaway_stop() {
    local mode="${1:-immediate}"
    if [[ "${PG_SERVER_UP:-0}" -eq 1 ]]; then
        "${PG_AS_SERVER[@]}" "$PG_BIN/pg_ctl" -D "$PG_DATA" -m "$mode" -w stop >/dev/null 2>&1 || true
        PG_SERVER_UP=0
    fi
}
