"""The IdP's domain: records, Cognito's rules and errors, attributes, passwords, ids, keys.

Pure Python: what a pool, app client, user, group or signing key is and which values
Cognito accepts for them. May import nothing of authgate outside ``authgate.idp.domain``
(no database, no HTTP).
"""
