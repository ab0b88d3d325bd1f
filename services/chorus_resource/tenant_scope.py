"""How a statement names its tenant, and on PostgreSQL declares it for row-level security.

Two ways, one per kind of connection (`TenantDatabase` picks):

- In a transaction that declared its tenant first (`declare_tenant`), a
  statement only names the tenant in its own filter.
- On a connection without an explicit transaction (each statement is its own
  transaction: one round trip), a PostgreSQL statement declares the tenant
  itself, before anything reads a row:

      WITH declared AS MATERIALIZED (SELECT set_config('app.tenant_id', $1, true) AS tenant_id)
      SELECT … FROM declared JOIN LATERAL (SELECT … FROM songs
                                           WHERE tenant_id = declared.tenant_id …) ON true

  The rows come from a LATERAL subquery that depends on `declared`, so
  PostgreSQL must produce the declaration's row (running `set_config`) before
  it scans the table for it; the row-level security policy reads the setting
  during that scan. `is_local` = true ends the setting with the statement's
  own transaction, so it never reaches the next statement on a pooled
  connection. An INSERT takes its tenant from `declared` the same way (a row
  is checked against the policy only once the SELECT that makes it ran).

SQLite has no row-level security: there the filter is the only wall, and a
statement never declares anything.
"""

from typing import Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    FromClause,
    Select,
    String,
    bindparam,
    func,
    select,
    true,
)
from sqlalchemy.sql.selectable import NamedFromClause

TENANT_SETTING = "app.tenant_id"
TENANT = "tenant"
"""The bind parameter holding the caller's tenant in every statement (see `tenant_values`)."""


class TenantScope:
    """How the statements of one kind of connection name (and declare) their tenant.

    Statements hold the tenant as the bind parameter `tenant`, so one built
    statement serves every tenant (`statements.StatementCache`).
    """

    def __init__(self, *, declare: bool) -> None:
        """`declare`: each statement declares the tenant itself (PostgreSQL, no transaction)."""
        self.declare = declare
        self._tenant = bindparam(TENANT, type_=String)
        self.declared: CTE | None = None
        if declare:
            declaration = func.set_config(TENANT_SETTING, self._tenant, True)
            self.declared = (
                select(declaration.label("tenant_id")).cte("declared").prefix_with("MATERIALIZED")
            )

    @property
    def tenant(self) -> ColumnElement[Any]:
        """The tenant, for a statement's filter (the declared one where statements declare it)."""
        if self.declared is not None:
            return self.declared.c.tenant_id
        return self._tenant

    def derived(self, statement: Select[Any], name: str) -> NamedFromClause:
        """`statement` as a FROM item that may use `tenant` (LATERAL where it is declared)."""
        if self.declared is not None:
            return statement.lateral(name)
        return statement.subquery(name)

    def correlated(self, statement: Select[Any]) -> Select[Any]:
        """`statement`, a subquery filtered on `tenant`, taking it from the enclosing statement."""
        if self.declared is None:
            return statement
        return statement.correlate(self.declared)

    def joined(self, first: FromClause) -> FromClause:
        """The FROM of a statement whose first derived table is `first`."""
        if self.declared is not None:
            return self.declared.join(first, true())
        return first

    def rows_of(self, statement: Select[Any]) -> Select[Any]:
        """`statement`, a SELECT filtered on `tenant`, as one statement scoped to the tenant."""
        if self.declared is None:
            return statement
        found = statement.lateral("found")
        return select(*found.c).select_from(self.joined(found))


def tenant_values(tenant_id: str, **values: Any) -> dict[str, Any]:
    """The values of a statement's bind parameters: the tenant's and `values`."""
    return {TENANT: tenant_id, **values}
