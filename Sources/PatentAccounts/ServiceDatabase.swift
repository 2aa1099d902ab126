import Foundation
import GRDB

/// `tasks.sqlite` next to the patents: export tasks and the accounts that pay for them
/// (clients, keys, tokens, prices, ledger) in one database, so that creating a task and
/// reserving its fee, or writing its file and charging for it, are each one transaction.
/// WAL with `synchronous = FULL`: what the API confirmed survives `kill -9` and power loss.
/// The CLI (`patents clients …`) opens the same file while the server runs.
public enum ServiceDatabase {
    public static func open(directory: String) throws -> DatabasePool {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.prepareDatabase { db in try db.execute(sql: "PRAGMA synchronous = FULL") }
        let pool = try DatabasePool(path: (directory as NSString).appendingPathComponent("tasks.sqlite"),
                                    configuration: configuration)
        try migrator.migrate(pool)
        return pool
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE export_task (
                    id TEXT PRIMARY KEY NOT NULL,
                    owner TEXT,
                    specification TEXT NOT NULL,
                    generation INTEGER NOT NULL,
                    total INTEGER NOT NULL,
                    count INTEGER NOT NULL,
                    status TEXT NOT NULL,
                    rows_written INTEGER NOT NULL DEFAULT 0,
                    file_name TEXT NOT NULL,
                    file_size INTEGER,
                    sha256 TEXT,
                    error TEXT,
                    created_at REAL NOT NULL,
                    updated_at REAL NOT NULL,
                    expires_at REAL NOT NULL,
                    file_expires_at REAL
                );
                CREATE INDEX export_task_status ON export_task(status);
                CREATE TABLE export_task_result (
                    task_id TEXT PRIMARY KEY NOT NULL REFERENCES export_task(id) ON DELETE CASCADE,
                    pns TEXT NOT NULL
                );
                """)
        }
        migrator.registerMigration("v2-accounts") { db in
            try db.execute(sql: """
                CREATE TABLE client (
                    id TEXT PRIMARY KEY NOT NULL,
                    name TEXT NOT NULL,
                    secret_hash TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    expires_at REAL,
                    disabled_at REAL,
                    apis TEXT NOT NULL,
                    max_level INTEGER NOT NULL,
                    balance INTEGER NOT NULL DEFAULT 0 CHECK (balance >= 0),
                    held INTEGER NOT NULL DEFAULT 0 CHECK (held >= 0),
                    daily_quota INTEGER,
                    monthly_quota INTEGER,
                    rate_per_second INTEGER,
                    rate_per_minute INTEGER
                );
                CREATE TABLE api_key (
                    hash TEXT PRIMARY KEY NOT NULL,
                    client_id TEXT NOT NULL REFERENCES client(id),
                    prefix TEXT NOT NULL,
                    created_at REAL NOT NULL,
                    revoked_at REAL
                );
                CREATE INDEX api_key_client ON api_key(client_id);
                CREATE TABLE access_token (
                    hash TEXT PRIMARY KEY NOT NULL,
                    client_id TEXT NOT NULL REFERENCES client(id),
                    issued_at REAL NOT NULL,
                    expires_at REAL NOT NULL
                );
                CREATE INDEX access_token_client ON access_token(client_id);
                CREATE INDEX access_token_expiry ON access_token(expires_at);
                CREATE TABLE level_price (
                    level INTEGER PRIMARY KEY NOT NULL,
                    unit_price INTEGER NOT NULL CHECK (unit_price >= 0)
                );
                INSERT INTO level_price (level, unit_price) VALUES (1, 1), (2, 2), (3, 10);
                CREATE TABLE ledger (
                    id INTEGER PRIMARY KEY AUTOINCREMENT,
                    client_id TEXT NOT NULL REFERENCES client(id),
                    at REAL NOT NULL,
                    kind TEXT NOT NULL CHECK (kind IN ('topup', 'reserve', 'charge', 'release')),
                    amount INTEGER NOT NULL,
                    patents INTEGER NOT NULL DEFAULT 0,
                    task_id TEXT,
                    note TEXT
                );
                CREATE INDEX ledger_client ON ledger(client_id, at);
                CREATE UNIQUE INDEX ledger_task_entry ON ledger(task_id, kind) WHERE task_id IS NOT NULL;
                """)
        }
        // A package's own allowance of exported patents per period (67200004 when used up).
        migrator.registerMigration("v3-package-allowance") { db in
            try db.execute(sql: """
                ALTER TABLE client ADD COLUMN package_patents INTEGER;
                ALTER TABLE client ADD COLUMN package_period TEXT;
                """)
        }
        // Field levels the operator set (`patents fields level`), over the catalogue's.
        migrator.registerMigration("v4-field-levels") { db in
            try db.execute(sql: """
                CREATE TABLE field_level (
                    code TEXT PRIMARY KEY NOT NULL,
                    level INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3)
                );
                """)
        }
        // The feed revision a task's search saw (`ExportTask.revision`).
        migrator.registerMigration("v5-task-revision") { db in
            try db.execute(sql: "ALTER TABLE export_task ADD COLUMN revision INTEGER NOT NULL DEFAULT 0")
        }
        return migrator
    }
}
