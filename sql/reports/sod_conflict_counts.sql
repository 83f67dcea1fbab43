-- SoD report scope: conflicts (user x rule) mitigated wholly or partly (on some paths), users in
-- conflict, fully mitigated and privileged, and the rules with at least one conflict.
WITH c AS (
    SELECT user_id, process_id, activity1_id, activity2_id, bool_and(mitigated) AS fully,
           bool_or(mitigated) AS partly, bool_or(privileged) AS privileged
    FROM {{schema}}.sod_conflict_details WHERE apps_id = :a
    GROUP BY user_id, process_id, activity1_id, activity2_id)
SELECT count(*), count(*) FILTER (WHERE fully), count(*) FILTER (WHERE partly AND NOT fully),
       count(DISTINCT user_id),
       count(DISTINCT user_id) - count(DISTINCT user_id) FILTER (WHERE NOT fully),
       count(DISTINCT user_id) FILTER (WHERE privileged),
       count(DISTINCT (process_id, activity1_id, activity2_id))
FROM c
