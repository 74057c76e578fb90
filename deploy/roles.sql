-- Once, as PostgreSQL's superuser (`sudo -u postgres psql -v ON_ERROR_STOP=1 -f deploy/roles.sql`): the role that
-- owns the schema and runs the migrations, the role the app servers connect as, and the database. Choose the
-- passwords here and in DATABASE_URL (docs/production.md, "Two database roles").
CREATE ROLE minhchung_owner LOGIN PASSWORD 'OWNER_PASSWORD';   -- migrates: `minhchung db upgrade`, nothing else
CREATE ROLE minhchung_app LOGIN PASSWORD 'APP_PASSWORD';       -- the app servers and every other `minhchung` command
CREATE DATABASE minhchung OWNER minhchung_owner;
