"""PostgreSQL roles, grants and row-level security for a team (ADR 0009).

Two NOLOGIN group roles per database, `<database>_annotators` and `<database>_lead`; each person logs in with
their own role, a member of one of them, whose name is their annotator name (`current_user`). The policies:

- spans, statuses, relations and suggestion decisions: everyone in the team reads all of them (agreement,
  review); an annotator inserts, changes and deletes only the rows of their own owner row (the annotator row
  of kind `annotator` named `current_user`); the lead those of their own row and of gold.
- labels, projects, relation types and documents: the lead writes them, annotators only read. Annotators may
  lock a document row (SELECT ... FOR UPDATE SKIP LOCKED takes one from the open queue) but an UPDATE policy
  whose check is false refuses every change to one.
- assignments: the lead writes them; an annotator may only add one for themselves on a document nobody has
  (taking the next task of the open queue).

The tables' owner (whoever ran the migrations: a superuser or a dedicated owner role) is not in either group and
bypasses the policies: no FORCE ROW LEVEL SECURITY, since migrations, imports by the owner and `team init`
itself must see every row. Nothing here stores a password: login roles are made without one.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, text

from annotator.storage.repository import Repository

OWNED = {"span": "annotator_id", "document_status": "annotator_id", "relation": "annotator_id",
         "suggestion_decision": "decided_by"}
MAX_ROLE = 63  # PostgreSQL's NAMEDATALEN - 1


@dataclass(frozen=True)
class TeamRoles:
    annotators: str
    lead: str


@dataclass
class TeamSetup:
    roles: TeamRoles
    created: list[str]  # login and group roles made by this call
    existing: list[str]  # login roles that were there already (made members now)


def group_roles(conn: Connection) -> TeamRoles:
    database = str(conn.execute(text("SELECT current_database()")).scalar())
    return TeamRoles(f"{database}_annotators"[:MAX_ROLE], f"{database}_lead"[:MAX_ROLE])


def may_write_gold(conn: Connection) -> bool:
    """Whether the connected user may change gold. SQLite: whoever can open the file. PostgreSQL: the tables'
    owner or a superuser; with row-level security on (team mode, ADR 0009) a member of the database's lead
    role; else whoever may insert spans."""
    if conn.dialect.name != "postgresql":
        return True
    row = conn.execute(text(
        "SELECT r.rolsuper OR r.rolbypassrls OR pg_has_role(current_user, c.relowner, 'MEMBER'), "
        "c.relrowsecurity, has_table_privilege('span', 'INSERT') "
        "FROM pg_roles r, pg_class c WHERE r.rolname = current_user AND c.oid = 'span'::regclass")).one()
    owner, secured, may_insert = bool(row[0]), bool(row[1]), bool(row[2])
    if owner:
        return True
    if not secured:
        return may_insert
    lead = group_roles(conn).lead
    return bool(conn.scalar(text("SELECT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :lead) "
                                 "AND pg_has_role(current_user, :lead, 'MEMBER')"), {"lead": lead}))


def current_role(repo: Repository) -> str:
    return str(repo.s.scalar(text("SELECT current_user")))


def _role_exists(conn: Connection, name: str) -> bool:
    return conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name}).first() is not None


def _q(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote_identifier(name)


def _mine(column: str, *, gold: bool = False) -> str:
    """The policy condition: the row belongs to the connected person (and, for the lead, to gold too)."""
    kinds = "(kind = 'annotator' AND name = current_user)" + (" OR kind = 'gold'" if gold else "")
    return f"{column} IN (SELECT id FROM annotator WHERE {kinds})"


def _policy(conn: Connection, table: str, name: str, command: str, role: str, using: str | None,
            check: str | None) -> None:
    conn.execute(text(f"DROP POLICY IF EXISTS {name} ON {table}"))
    sql = f"CREATE POLICY {name} ON {table} FOR {command} TO {_q(conn, role)}"
    if using is not None:
        sql += f" USING ({using})"
    if check is not None:
        sql += f" WITH CHECK ({check})"
    conn.execute(text(sql))


def _ensure_role(conn: Connection, name: str, *, login: bool, member_of: str | None, setup: TeamSetup) -> None:
    role = _q(conn, name)
    if _role_exists(conn, name):
        if login:
            setup.existing.append(name)
    else:
        # Without a password: the lead sets one (ALTER ROLE ... PASSWORD, or psql's \password), never annotator.
        conn.execute(text(f"CREATE ROLE {role} {'LOGIN' if login else 'NOLOGIN'}"))
        setup.created.append(name)
    if member_of is not None:
        conn.execute(text(f"GRANT {_q(conn, member_of)} TO {role}"))


def set_up_team(repo: Repository, lead: str | None, annotators: list[str]) -> TeamSetup:
    """Roles, grants and policies, made again from scratch on every call (idempotent), in the caller's transaction."""
    conn = repo.s.connection()
    roles = group_roles(conn)
    setup = TeamSetup(roles, [], [])
    _ensure_role(conn, roles.annotators, login=False, member_of=None, setup=setup)
    _ensure_role(conn, roles.lead, login=False, member_of=None, setup=setup)
    for name in annotators:
        _ensure_role(conn, name, login=True, member_of=roles.annotators, setup=setup)
    if lead is not None:
        _ensure_role(conn, lead, login=True, member_of=roles.lead, setup=setup)
    team, boss = _q(conn, roles.annotators), _q(conn, roles.lead)
    database = _q(conn, str(conn.execute(text("SELECT current_database()")).scalar()))
    for role in (team, boss):
        conn.execute(text(f"GRANT CONNECT ON DATABASE {database} TO {role}"))
        conn.execute(text(f"GRANT USAGE ON SCHEMA public TO {role}"))
        conn.execute(text(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}"))
        conn.execute(text(f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {role}"))
        conn.execute(text(f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {role}"))
    owned = ", ".join(OWNED)
    conn.execute(text(f"GRANT INSERT, UPDATE, DELETE ON {owned} TO {team}"))
    conn.execute(text(f"GRANT INSERT ON annotator, assignment TO {team}"))
    conn.execute(text(f"GRANT UPDATE (position) ON document TO {team}"))  # only to lock a row: the policy refuses
    writable = [t for t in _tables(conn) if t != "alembic_version"]
    conn.execute(text(f"GRANT INSERT, UPDATE, DELETE ON {', '.join(writable)} TO {boss}"))

    for table, column in OWNED.items():
        conn.execute(text(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"))
        _policy(conn, table, "team_read", "SELECT", roles.annotators, "true", None)
        _policy(conn, table, "lead_read", "SELECT", roles.lead, "true", None)
        for command in ("INSERT", "UPDATE", "DELETE"):
            using = None if command == "INSERT" else _mine(column)
            check = None if command == "DELETE" else _mine(column)
            _policy(conn, table, f"team_{command.lower()}", command, roles.annotators, using, check)
            lead_using = None if command == "INSERT" else _mine(column, gold=True)
            lead_check = None if command == "DELETE" else _mine(column, gold=True)
            _policy(conn, table, f"lead_{command.lower()}", command, roles.lead, lead_using, lead_check)
    for table in ("annotator", "assignment", "document"):
        conn.execute(text(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY"))
        _policy(conn, table, "team_read", "SELECT", roles.annotators, "true", None)
        _policy(conn, table, "lead_all", "ALL", roles.lead, "true", "true")
    _policy(conn, "annotator", "team_insert", "INSERT", roles.annotators, None,
            "kind = 'annotator' AND name = current_user")
    _policy(conn, "assignment", "team_insert", "INSERT", roles.annotators, None,
            "annotator_id IN (SELECT id FROM annotator WHERE kind = 'annotator' AND name = current_user) "
            "AND NOT EXISTS (SELECT 1 FROM assignment other WHERE other.document_id = assignment.document_id)")
    _policy(conn, "document", "team_lock", "UPDATE", roles.annotators, "true", "false")
    for name in [*annotators, *([lead] if lead else [])]:
        conn.execute(text("INSERT INTO annotator (name, kind) VALUES (:n, 'annotator') ON CONFLICT DO NOTHING"),
                     {"n": name})
    return setup


def _tables(conn: Connection) -> list[str]:
    rows = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"))
    return [str(r[0]) for r in rows]
