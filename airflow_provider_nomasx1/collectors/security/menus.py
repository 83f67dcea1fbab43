"""JDE tasks and menus: steps JDE_TASKS, JDE_MENUS and SECURITY_MENUS.

- ``jde_tasks`` (F9000): task ids trimmed; object, form and version null when blank (folders);
- ``jde_menus`` (F9001): the relationships of the task views listed in the application's settings
  (``settings_jdedwards.task_views``), sequence as an integer; a relationship F9001 holds more
  than once keeps its lowest sequence;
- ``security_menus``: each task view flattened from ``jde_menus`` + ``jde_tasks`` (run JDE_TASKS
  and JDE_MENUS first) with a recursive walk from its roots. A **root** is a parent of the view
  that is never a child in that view (view 91's ``JD Edwards EnterpriseOne Menus``).

Root convention of ``security_menus``: the root is **included**. It has a row of its own (level 0,
no parent, no sequence) and is the first id of every path, so paths stay unique when a view has
several roots that share a sub-menu. ``path`` = the task ids from the root, ``'.'`` separated
(``0000000001.0000000003.0000000004.0000000022``); ``path_labels`` = the task names along it, the
root's included, ``' > '`` separated (``JD Edwards EnterpriseOne Menus > Accounts Payable >
Supplier and Voucher Entry > Enter Vouchers``); ``level`` 1 = directly under the root. A task
reused in several places (or views) has one row per path. The path is made of ids only, so it
is stable across runs and label changes.

Cycles: a relationship leading to a task already on the path is not descended into (and not
written); the step logs how many were cut. Relationships reachable from no root (a cycle with
no root) are logged too.

F9000 and F9001 are enrichment tables: when one is missing (or lacks a column), its step writes
no rows and says so in its message and collect_audit details, and the job goes on.
"""

from __future__ import annotations

from airflow_provider_nomasx1.collectors.security.base import security_session
from airflow_provider_nomasx1.collectors.security.objects import warn_duplicates
from airflow_provider_nomasx1.collectors.session import table_literal_list
from airflow_provider_nomasx1.context import StepContext
from airflow_provider_nomasx1.jde.catalogue import F9000, F9001


def jde_tasks(ctx: StepContext) -> dict[str, int]:
    """F9000 -> jde_tasks."""
    with security_session(ctx) as s:
        rows = s.extract("src_f9000", F9000, effect="jde_tasks left empty")
        if not rows and "F9000" not in s.missing_sources:
            ctx.log.warning("JDE table %s (F9000) returned no rows: jde_tasks will be empty", s.source_table(F9000))
        warn_duplicates(s, "src_f9000", "btrim(task_id)", "F9000")
        return s.run_sql("jde_tasks")


def jde_menus(ctx: StepContext) -> dict[str, int]:
    """F9001 rows of the application's task views -> jde_menus."""
    with security_session(ctx) as s:
        views = sorted({v.strip() for v in s.settings.task_view_ids()})
        s.extract("src_f9001", F9001, effect="jde_menus left empty")
        counts = s.run_sql("jde_menus", {"task_views": table_literal_list(views)})
        found = dict(
            s.conn.exec_driver_sql(
                s.render("SELECT task_view, count(*) FROM {{schema}}.jde_menus WHERE apps_id = {{apps_id}} GROUP BY 1")
            ).all()
        )
        empty = [v for v in views if not found.get(v)]
        if empty and "F9001" not in s.missing_sources:
            ctx.log.warning(
                "F9001 has no relationships for task view(s) %s listed in settings_jdedwards.task_views "
                "of application %s: their menus will be empty",
                ", ".join(empty),
                s.apps_id,
            )
        ctx.log.info("jde_menus: relationships per task view %s", {v: found.get(v, 0) for v in views})
        return counts


def security_menus(ctx: StepContext) -> dict[str, int]:
    """jde_menus + jde_tasks -> security_menus (one row per path, cycles cut)."""
    with security_session(ctx) as s:
        relationships = s.scalar("SELECT count(*) FROM {{schema}}.jde_menus WHERE apps_id = {{apps_id}}")
        if not relationships:
            ctx.log.warning(
                "jde_menus holds no rows for application %s (JDE_MENUS not run, or no relationships "
                "in the task views): security_menus will be empty",
                s.apps_id,
            )
        counts = s.run_sql("security_menus")
        cut = s.scalar("SELECT count(*) FROM menu_walk WHERE cut")
        if cut:
            ctx.log.warning("security_menus: %s menu cycle(s) cut (a task leading back to a task on its path)", cut)
        unreached = s.conn.exec_driver_sql(
            s.render(
                "SELECT m.task_view, count(*) FROM {{schema}}.jde_menus AS m "
                "WHERE m.apps_id = {{apps_id}} AND NOT EXISTS (SELECT 1 FROM menu_walk AS w "
                "WHERE w.task_view = m.task_view AND w.task_id = m.parent_task_id AND NOT w.cut) "
                "GROUP BY 1 ORDER BY 1"
            )
        ).all()
        for view, n in unreached:
            ctx.log.warning(
                "security_menus: %s relationship(s) of task view %s are reachable from no root "
                "(a cycle without a root): not written",
                n,
                view,
            )
        ctx.log.info("security_menus: %s paths, %s cycle(s) cut", counts.get("security_menus", 0), cut)
        return counts
