-- Licence report: every entitlement line with its state on the position's as-of date (:d): active
-- (the rule of collectors/licence/entitlements.py active_on: start and end both included, no end =
-- open), future (starts later) or ended; active lines first.
WITH e AS (
    SELECT e.*, CASE WHEN e.start_date <= :d AND (e.end_date IS NULL OR :d <= e.end_date) THEN 'active'
                     WHEN e.start_date > :d THEN 'future'
                     ELSE 'ended' END AS state
    FROM {{schema}}.license_entitlements e
    WHERE e.apps_id = :a)
SELECT e.state, e.entitlement_id, e.csi, c.family, e.component_id, c.name, m.name, m.counted_by,
       e.quantity, e.start_date, e.end_date, e.support_status, e.note, e.created_at, e.created_by
FROM e
LEFT JOIN {{schema}}.settings_lic_components c ON c.component_id = e.component_id
LEFT JOIN {{schema}}.settings_lic_metrics m ON m.metric_id = e.metric_id
ORDER BY CASE e.state WHEN 'active' THEN 1 WHEN 'future' THEN 2 ELSE 3 END, c.family, c.name,
         e.entitlement_id
