"""Fixtures of the browser-login tests (loaded with ``pytest_plugins``); helpers are in
:mod:`.browser_env`."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from authgate.plugins.services import PluginServices
from idp.oidc_harness import IdpServer
from plugins.openid_connect.browser_env import (
    Gateway,
    Site,
    make_site,
    plugin_config,
    running_gateway,
)


@pytest.fixture(scope="module")
def site(idp: IdpServer) -> Site:
    return make_site(idp)


@pytest.fixture
async def gateway(site: Site, idp: IdpServer, echo_port: int) -> AsyncIterator[Gateway]:
    routes = {
        "app": plugin_config(site),
        "short": plugin_config(
            site, session_idling_timeout=300, session_rolling_timeout=0,
            session_absolute_timeout=1000,
        ),
        "form": plugin_config(site, response_mode="form_post"),
        "respond": plugin_config(site, login_action="response", login_tokens=["tokens"]),
        "plain": plugin_config(site, preserve_query_args=False),
        "cognito": plugin_config(site, logout_style="cognito"),
        "deny": plugin_config(site, unauth_action="deny"),
        "always": plugin_config(site, unauth_action="auth"),
    }  # fmt: skip
    async with running_gateway(site, echo_port, routes, PluginServices(clock=idp.clock)) as running:
        yield running
