import Logging
import PostgresNIO

/// The shared database's schema, as versioned migrations applied in order (`patents
/// migrate`, and every node at start). Each runs in a transaction holding an advisory lock,
/// so nodes starting together apply each migration once; `schema_migration` records what
/// was applied. The tables mirror `tasks.sqlite` (PatentAccounts' `ServiceDatabase`), plus what
/// many machines need: an export task's claim (`worker`, `attempt` — the fencing token —
/// and `lease_until`), signing keys with their ids, the nodes, and the patents' feed.
extension SharedDatabase {
    /// Named migrations in the order they apply; a released one is never edited, only followed.
    static let migrations: [(id: String, statements: [String])] = [
        ("v1-accounts-and-tasks", [
            """
            CREATE TABLE client (
                id TEXT PRIMARY KEY,
                name TEXT NOT NULL,
                secret_hash TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                expires_at DOUBLE PRECISION,
                disabled_at DOUBLE PRECISION,
                apis TEXT NOT NULL,
                max_level INTEGER NOT NULL,
                balance BIGINT NOT NULL DEFAULT 0 CHECK (balance >= 0),
                held BIGINT NOT NULL DEFAULT 0 CHECK (held >= 0),
                daily_quota BIGINT,
                monthly_quota BIGINT,
                rate_per_second INTEGER,
                rate_per_minute INTEGER,
                package_patents BIGINT,
                package_period TEXT
            )
            """,
            """
            CREATE TABLE api_key (
                hash TEXT PRIMARY KEY,
                client_id TEXT NOT NULL REFERENCES client(id),
                prefix TEXT NOT NULL,
                created_at DOUBLE PRECISION NOT NULL,
                revoked_at DOUBLE PRECISION
            )
            """,
            "CREATE INDEX api_key_client ON api_key(client_id)",
            """
            CREATE TABLE access_token (
                hash TEXT PRIMARY KEY,
                client_id TEXT NOT NULL REFERENCES client(id),
                issued_at DOUBLE PRECISION NOT NULL,
                expires_at DOUBLE PRECISION NOT NULL
            )
            """,
            "CREATE INDEX access_token_client ON access_token(client_id)",
            "CREATE INDEX access_token_expiry ON access_token(expires_at)",
            "CREATE TABLE level_price (level INTEGER PRIMARY KEY, unit_price BIGINT NOT NULL CHECK (unit_price >= 0))",
            "INSERT INTO level_price (level, unit_price) VALUES (1, 1), (2, 2), (3, 10)",
            "CREATE TABLE field_level (code TEXT PRIMARY KEY, level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3))",
            """
            CREATE TABLE ledger (
                id BIGSERIAL PRIMARY KEY,
                client_id TEXT NOT NULL REFERENCES client(id),
                at DOUBLE PRECISION NOT NULL,
                kind TEXT NOT NULL CHECK (kind IN ('topup', 'reserve', 'charge', 'release')),
                amount BIGINT NOT NULL,
                patents BIGINT NOT NULL DEFAULT 0,
                task_id TEXT,
                note TEXT
            )
            """,
            "CREATE INDEX ledger_client ON ledger(client_id, at)",
            // One reservation, one charge or release per task, whichever node writes it.
            "CREATE UNIQUE INDEX ledger_task_entry ON ledger(task_id, kind) WHERE task_id IS NOT NULL",
            """
            CREATE TABLE export_task (
                id TEXT PRIMARY KEY,
                owner TEXT,
                specification TEXT NOT NULL,
                generation BIGINT NOT NULL,
                total BIGINT NOT NULL,
                count BIGINT NOT NULL,
                status TEXT NOT NULL CHECK (status IN ('PENDING', 'SUCCESS', 'FAIL')),
                rows_written BIGINT NOT NULL DEFAULT 0,
                file_name TEXT NOT NULL,
                file_size BIGINT,
                sha256 TEXT,
                error TEXT,
                created_at DOUBLE PRECISION NOT NULL,
                updated_at DOUBLE PRECISION NOT NULL,
                expires_at DOUBLE PRECISION NOT NULL,
                file_expires_at DOUBLE PRECISION,
                revision BIGINT,
                worker TEXT,
                attempt INTEGER NOT NULL DEFAULT 0,
                lease_until TIMESTAMPTZ,
                CHECK ((worker IS NULL) = (lease_until IS NULL))
            )
            """,
            "CREATE INDEX export_task_waiting ON export_task(created_at, id) WHERE status = 'PENDING' AND worker IS NULL",
            "CREATE INDEX export_task_leased ON export_task(lease_until) WHERE worker IS NOT NULL",
            """
            CREATE TABLE export_task_result (
                task_id TEXT PRIMARY KEY REFERENCES export_task(id) ON DELETE CASCADE,
                pns TEXT NOT NULL
            )
            """,
            """
            CREATE TABLE signing_key (
                kid TEXT PRIMARY KEY,
                secret BYTEA NOT NULL,
                created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                not_after TIMESTAMPTZ
            )
            """,
            "CREATE TABLE node (id TEXT PRIMARY KEY, address TEXT NOT NULL, heartbeat_at TIMESTAMPTZ NOT NULL)",
        ]),
        // The patents' change feed (`PatentFeed`): each patent's stored row under the feed
        // revision that last wrote it; `patent_feed` holds the head revision (its row lock
        // orders publishers) and the family-id counters publishers hand on.
        ("v2-patent-feed", [
            """
            CREATE TABLE patent_feed (
                id INTEGER PRIMARY KEY CHECK (id = 1),
                head BIGINT NOT NULL,
                family_counters TEXT NOT NULL
            )
            """,
            "INSERT INTO patent_feed (id, head, family_counters) VALUES (1, 0, '{}')",
            """
            CREATE TABLE patent_record (
                pn TEXT PRIMARY KEY,
                revision BIGINT NOT NULL,
                record BYTEA NOT NULL,
                text BYTEA,
                docdb_family BIGINT,
                inpadoc_family BIGINT,
                extended_family BIGINT
            )
            """,
            "CREATE INDEX patent_record_revision ON patent_record(revision, pn)",
        ]),
        // The offices' original PDFs on the feed, numbered apart from the records.
        ("v3-original-pdfs", [
            "ALTER TABLE patent_feed ADD COLUMN originals_head BIGINT NOT NULL DEFAULT 0",
            "CREATE TABLE patent_original (pn TEXT PRIMARY KEY, revision BIGINT NOT NULL, pdf BYTEA NOT NULL)",
            "CREATE INDEX patent_original_revision ON patent_original(revision, pn)",
        ]),
        // Index generations published to object storage (IndexPublication): every object's
        // key, content hash and state (staged → published → marked → deleting), and each
        // shard's generations with their manifest and the object holding each file.
        ("v4-index-generations", [
            """
            CREATE TABLE index_object (key TEXT PRIMARY KEY, sha256 TEXT NOT NULL, size BIGINT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('staged', 'published', 'marked', 'deleting')),
                created_at TIMESTAMPTZ NOT NULL DEFAULT now(), marked_at TIMESTAMPTZ)
            """,
            "CREATE INDEX index_object_sha256 ON index_object(sha256) WHERE state = 'published'",
            """
            CREATE TABLE index_generation (id BIGSERIAL PRIMARY KEY, shard INT NOT NULL, manifest BYTEA NOT NULL,
                files JSONB NOT NULL, published_at TIMESTAMPTZ NOT NULL DEFAULT now())
            """,
            "CREATE INDEX index_generation_shard ON index_generation(shard, id)",
        ]),
        // A sharded cluster: each node's shards served with their generations (ClusterMembership);
        // the feed revision a generation was built from and when it went live; the indexing
        // jobs (IndexJobs).
        ("v5-cluster-nodes", [
            "ALTER TABLE node ADD COLUMN ready JSONB NOT NULL DEFAULT '{}'::jsonb",
            "ALTER TABLE index_generation ADD COLUMN revision BIGINT",
            // When a generation went live (NULL: staged — built by a job, waiting for the
            // other shards' jobs so that all go live in one transaction).
            "ALTER TABLE index_generation ADD COLUMN live_at TIMESTAMPTZ",
            "UPDATE index_generation SET live_at = published_at",
            """
            CREATE TABLE index_job (shard INT NOT NULL, revision BIGINT NOT NULL,
                state TEXT NOT NULL CHECK (state IN ('queued', 'running', 'done')), worker TEXT,
                lease_until TIMESTAMPTZ, generation BIGINT, created_at TIMESTAMPTZ NOT NULL DEFAULT now(),
                PRIMARY KEY (shard, revision))
            """,
            "CREATE INDEX index_job_queued ON index_job(revision, shard) WHERE state <> 'done'",
        ]),
    ]

    /// An advisory lock key only migrations take ("patents" in ASCII).
    static let migrationLock: Int64 = 0x70_61_74_65_6E_74_73

    /// Applies the migrations not applied yet, each in its own transaction; returns their ids.
    @discardableResult
    public func migrate() async throws -> [String] {
        var applied: [String] = []
        for migration in Self.migrations {
            let ran = try await transaction { connection -> Bool in
                try await connection.query("SELECT pg_advisory_xact_lock(\(Self.migrationLock))", logger: logger)
                try await connection.query("""
                    CREATE TABLE IF NOT EXISTS schema_migration (id TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())
                    """, logger: logger)
                let done = try await connection.query("SELECT 1 FROM schema_migration WHERE id = \(migration.id)", logger: logger)
                for try await _ in done { return false }
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migration (id) VALUES (\(migration.id))", logger: logger)
                return true
            }
            if ran { applied.append(migration.id) }
        }
        return applied
    }

    /// The ids of the migrations applied, in the order they were.
    public func appliedMigrations() async throws -> [String] {
        var ids: [String] = []
        let rows = try await client.query("SELECT id FROM schema_migration ORDER BY applied_at, id", logger: logger)
        for try await id in rows.decode(String.self) { ids.append(id) }
        return ids
    }
}
