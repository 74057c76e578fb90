-- As minhchung_owner, after every `minhchung db upgrade` (a migration may add tables) and after a restore; the
-- statements can be run again any time. The app role may read and write the app's tables but only read and append
-- audit events and the undo logs, and never touch the schema's revision (docs/production.md, "Two database roles").
GRANT USAGE ON SCHEMA public TO minhchung_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO minhchung_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO minhchung_app;
REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM minhchung_app;
REVOKE UPDATE, TRUNCATE ON self_score_history, document_history, assignment_history FROM minhchung_app;
REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON alembic_version FROM minhchung_app;
