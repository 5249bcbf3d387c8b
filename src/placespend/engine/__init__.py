"""The one layer that talks to the database: workspace, schema, migrations, and Ibis tables."""
