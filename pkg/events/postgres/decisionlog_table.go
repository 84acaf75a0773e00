package postgres

import (
	"context"
	"strings"

	"github.com/jackc/pgx/v5"
)

// decisionsTable is the decision log's table name; decisionsTrigger names
// both the trigger that keeps it append-only and the trigger's function.
const (
	decisionsTable   = "liftgate_decisions"
	decisionsTrigger = "liftgate_decisions_append_only"
)

// decisionsDDLLock is the key of the transaction-scoped advisory lock that
// serialises creating the table: concurrent CREATE TABLE IF NOT EXISTS (or
// CREATE OR REPLACE FUNCTION) can fail on a catalog unique index or with
// "tuple concurrently updated" when two exporters start together. Advisory
// locks are per database, so the key only has to be liftgate's own.
const decisionsDDLLock int64 = 0x6c67_6463_6c6f_6731 // "lgdclog1"

// decisionsNames are the decision log's objects as SQL: in the schema of
// the mapped event table when that is schema-qualified, else wherever the
// connection's search_path puts liftgate's own tables.
type decisionsNames struct {
	table    string // quoted, possibly schema-qualified
	function string // quoted, possibly schema-qualified
}

func decisionsNamesFor(eventTable string) decisionsNames {
	schema := ""
	if i := strings.LastIndex(eventTable, "."); i >= 0 {
		schema = eventTable[:i]
	}
	qualify := func(name string) string {
		if schema == "" {
			return ident(name)
		}
		return ident(schema) + "." + ident(name)
	}
	return decisionsNames{table: qualify(decisionsTable), function: qualify(decisionsTrigger)}
}

// decisionsDDL creates the table, its indices and the append-only trigger.
// Every statement is idempotent.
//
// id is an identity column whose sequence never goes back, so retention
// deleting the newest entries never lets an id be given twice. entry holds
// the whole entry as JSON and is what readers decode (json, not jsonb: json
// keeps the text verbatim and accepts \u0000, which jsonb refuses); the
// other columns exist to filter and to apply retention.
//
// The trigger refuses UPDATE and TRUNCATE, whoever issues them: entries are
// never changed, and leave only through retention's DELETE. (The table's
// owner could still drop or disable the trigger; no database can guard
// against its owner.) It is statement-level, so an UPDATE fails even when
// it matches no row.
func (n decisionsNames) ddl() []string {
	return []string{
		`CREATE TABLE IF NOT EXISTS ` + n.table + ` (
	id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	recorded_at timestamptz NOT NULL, -- when the log stored the entry
	"time"      timestamptz NOT NULL, -- when the recorded fact holds
	experiment  text NOT NULL,
	kind        text NOT NULL,
	plan_hash   text NOT NULL,
	entry       json NOT NULL         -- the entry: authoritative
)`,
		`CREATE INDEX IF NOT EXISTS ` + ident(decisionsTable+"_experiment_id_idx") + ` ON ` + n.table + ` (experiment, id)`,
		`CREATE INDEX IF NOT EXISTS ` + ident(decisionsTable+"_recorded_at_idx") + ` ON ` + n.table + ` (recorded_at)`,
		`CREATE OR REPLACE FUNCTION ` + n.function + `() RETURNS trigger LANGUAGE plpgsql AS $fn$
BEGIN
	RAISE EXCEPTION 'liftgate_decisions is append-only: % is not allowed (entries leave only through retention)', TG_OP
		USING ERRCODE = 'restrict_violation';
END
$fn$`,
		// CREATE OR REPLACE TRIGGER is PostgreSQL 14, the oldest server
		// liftgate accepts.
		`CREATE OR REPLACE TRIGGER ` + ident(decisionsTrigger) + ` BEFORE UPDATE OR TRUNCATE ON ` + n.table +
			` FOR EACH STATEMENT EXECUTE FUNCTION ` + n.function + `()`,
	}
}

// createDecisionsTable makes sure the table and its trigger exist. When both
// already do it changes nothing, so a role that may write the log but not
// own it (no CREATE on the schema) can still open it.
func (s *Source) createDecisionsTable(ctx context.Context, n decisionsNames) error {
	const op = "decision log: creating " + decisionsTable
	qctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	err := pgx.BeginFunc(qctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(qctx, `SELECT pg_advisory_xact_lock($1::bigint)`, decisionsDDLLock); err != nil {
			return err
		}
		var ready bool
		// to_regclass reads the quoted name as SQL would, search_path
		// included; the name is a bound parameter.
		if err := tx.QueryRow(qctx, `SELECT EXISTS (SELECT 1 FROM pg_trigger WHERE tgrelid = to_regclass($1::text) AND tgname = $2::text)`,
			n.table, decisionsTrigger).Scan(&ready); err != nil {
			return err
		}
		if ready {
			return nil
		}
		for _, stmt := range n.ddl() {
			if _, err := tx.Exec(qctx, stmt); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return s.wrap(ctx, qctx, op, err)
	}
	return nil
}
