-- Licence report scope: the size of the user drill-down (user x component rows, users), the users
-- authorised for a component, candidates to revoke somewhere, and ids unknown to JDE security.
SELECT count(*),
       count(DISTINCT user_id),
       count(DISTINCT user_id) FILTER (WHERE authorised),
       count(DISTINCT user_id) FILTER (WHERE candidate_to_revoke),
       count(DISTINCT user_id) FILTER (WHERE NOT known_user)
FROM {{schema}}.license_position_users
WHERE apps_id = :a
