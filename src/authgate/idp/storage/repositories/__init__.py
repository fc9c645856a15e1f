"""One repository per aggregate of the IdP store, each on the shared ``Database`` and clock.

``pools`` (pools and their domains, creating a pool with its first signing keys in one
transaction), ``resource_servers``, ``clients``, ``users``, ``auth`` (password sign-in and
the new-password challenge), ``groups``, ``keys`` and ``tokens`` (codes, refresh tokens,
hosted-UI sessions, revocations). :class:`authgate.idp.storage.store.IdpStore` composes them.
May import ``authgate.idp.domain`` and the rest of ``authgate.idp.storage`` only.
"""
