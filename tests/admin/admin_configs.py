"""The configuration the admin API tests run with."""

from __future__ import annotations


def admin_config(echo_port: int) -> str:
    """Three services (one unreachable), four routes, a consumer and a route plugin."""
    return f"""_format_version: "3.0"
services:
  - name: echo
    url: http://127.0.0.1:{echo_port}
    tags: [team-a]
    routes:
      - name: bar
        paths: [/bar]
        tags: [team-a, public]
      - name: closed
        paths: [/closed]
        plugins:
          - name: request-termination
            instance_name: maintenance
            config:
              status_code: 503
              message: down for maintenance
  - name: other
    url: http://127.0.0.1:{echo_port}/other
    routes:
      - name: baz
        paths: [/baz]
        tags: [public]
  - name: dead
    url: http://127.0.0.1:1
    retries: 0
    routes:
      - name: dead
        paths: [/dead]
consumers:
  - username: alice
    custom_id: A-1
"""
