"""The IdP's persistence: the database, ORM tables, migrations and the store over them.

SQLite or PostgreSQL through SQLAlchemy (async) and Alembic; every read returns the frozen
records of ``authgate.idp.domain``. May import ``authgate.idp.domain`` only (and itself).
"""
