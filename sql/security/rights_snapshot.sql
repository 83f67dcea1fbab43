-- The rights just computed become the baseline of the next audit ({{target}}: the new
-- partition of security_rights_snapshot, swapped in by collectors/security/partitions.py).
-- count: snapshot
INSERT INTO {{target}} (apps_id, principal_type, principal, object_name, form_name, version,
    can_run, can_add, can_change, can_delete, can_ok, can_copy, can_scroll, taken_at, run_id)
SELECT {{apps_id}}, principal_type, principal, object_name, form_name, version,
       can_run, can_add, can_change, can_delete, can_ok, can_copy, can_scroll, now(), {{run_id}}
FROM audit_current;
