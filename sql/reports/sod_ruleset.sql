-- SoD report scope: the size of the ruleset and the enabled users it was evaluated on.
SELECT (SELECT count(*) FROM {{schema}}.sod_process WHERE apps_id = :a),
       (SELECT count(*) FROM {{schema}}.sod_activities WHERE apps_id = :a),
       (SELECT count(*) FROM {{schema}}.sod_objects WHERE apps_id = :a),
       (SELECT count(*) FROM {{schema}}.sod_matrix WHERE apps_id = :a),
       (SELECT count(*) FROM {{schema}}.security_users WHERE apps_id = :a AND enabled)
