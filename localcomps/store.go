package localcomps

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// schema creates the tables. Every entity kind shares the entities table; a
// column that a kind does not have stays empty. Times are Unix nanoseconds.
const schema = `
CREATE TABLE IF NOT EXISTS entities (
	id TEXT PRIMARY KEY,
	kind TEXT NOT NULL,
	name TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	owner TEXT NOT NULL DEFAULT '',
	created INTEGER NOT NULL,
	modified INTEGER NOT NULL,
	state TEXT NOT NULL DEFAULT '',
	error_message TEXT NOT NULL DEFAULT '',
	environment_name TEXT NOT NULL DEFAULT '',
	worker_name TEXT NOT NULL DEFAULT '',
	worker_version TEXT NOT NULL DEFAULT '',
	priority TEXT NOT NULL DEFAULT '',
	host_name TEXT NOT NULL DEFAULT '',
	worker_instance_id TEXT NOT NULL DEFAULT '',
	asset_collection_id TEXT NOT NULL DEFAULT '',
	parent_id TEXT NOT NULL DEFAULT '',
	deleted INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS entities_kind ON entities(kind, deleted, created);
CREATE INDEX IF NOT EXISTS entities_parent ON entities(parent_id);
CREATE TABLE IF NOT EXISTS tags (
	entity_id TEXT NOT NULL,
	key TEXT NOT NULL,
	value_json TEXT NOT NULL,
	value_text TEXT NOT NULL,
	value_num REAL,
	PRIMARY KEY (entity_id, key)
);
CREATE INDEX IF NOT EXISTS tags_key ON tags(key, value_text);
CREATE TABLE IF NOT EXISTS files (
	entity_id TEXT NOT NULL,
	seq INTEGER NOT NULL,
	file_name TEXT NOT NULL,
	file_type TEXT NOT NULL DEFAULT '',
	description TEXT NOT NULL DEFAULT '',
	relative_path TEXT NOT NULL DEFAULT '',
	md5 TEXT NOT NULL,
	length INTEGER NOT NULL,
	tags_json TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (entity_id, seq)
);
CREATE TABLE IF NOT EXISTS outputs (
	entity_id TEXT NOT NULL,
	path TEXT NOT NULL,
	md5 TEXT NOT NULL,
	length INTEGER NOT NULL,
	mtime INTEGER NOT NULL,
	file_id TEXT NOT NULL,
	PRIMARY KEY (entity_id, path)
);
CREATE TABLE IF NOT EXISTS relations (
	work_item_id TEXT NOT NULL,
	relation_type TEXT NOT NULL,
	kind TEXT NOT NULL,
	related_id TEXT NOT NULL,
	created INTEGER NOT NULL,
	PRIMARY KEY (work_item_id, relation_type, kind, related_id)
);
CREATE INDEX IF NOT EXISTS relations_related ON relations(related_id);
CREATE TABLE IF NOT EXISTS plugins (
	entity_id TEXT NOT NULL,
	seq INTEGER NOT NULL,
	name TEXT NOT NULL,
	version TEXT NOT NULL DEFAULT '',
	PRIMARY KEY (entity_id, seq)
);
CREATE TABLE IF NOT EXISTS configurations (
	entity_id TEXT PRIMARY KEY,
	json TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS zips (
	id TEXT PRIMARY KEY,
	name TEXT NOT NULL,
	entries TEXT NOT NULL,
	created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS tokens (
	digest TEXT PRIMARY KEY,
	user TEXT NOT NULL,
	kind TEXT NOT NULL,
	expires INTEGER NOT NULL,
	created INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS worker_claims (
	entity_id TEXT PRIMARY KEY,
	instance TEXT NOT NULL,
	claimed INTEGER NOT NULL
);
`

// openDB opens (creating if needed) the SQLite database in dir with WAL,
// a busy timeout and immediate write transactions.
func openDB(ctx context.Context, dir string) (*sql.DB, error) {
	path := filepath.Join(dir, "comps.db")
	// SQLite gives the -wal and -shm files the database file's mode, so a
	// database made 0600 keeps all three private.
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, fileMode)
	if err != nil {
		return nil, fmt.Errorf("create database %s: %w", path, err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := privateFile(p); err != nil {
			return nil, err
		}
	}
	q := url.Values{}
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_txlock", "immediate")
	dsn := "file:" + path + "?" + q.Encode()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("open database %s: %w", path, err)
	}
	db.SetMaxOpenConns(8)
	if _, err := db.ExecContext(ctx, schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("create schema in %s: %w", path, err)
	}
	return db, nil
}

// entityExists reports whether a live entity of the given kind has this id.
func entityExists(ctx context.Context, q queryer, kind, id string) (bool, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM entities WHERE id = ? AND kind = ? AND deleted = 0`, id, kind).Scan(&n)
	if err != nil {
		return false, fmt.Errorf("look up %s %s: %w", kind, id, err)
	}
	return n > 0, nil
}

// requireEntity is nil when the entity exists and is not deleted, else the
// protocol's 404 answer.
func requireEntity(ctx context.Context, q queryer, kind, id string) error {
	ok, err := entityExists(ctx, q, kind, id)
	if err != nil {
		return err
	}
	if !ok {
		return errorf(http.StatusNotFound, "%s %s not found", kind, id)
	}
	return nil
}

// queryer is what *sql.DB and *sql.Tx have in common for reads and writes.
type queryer interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}
