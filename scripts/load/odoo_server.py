"""Start an Odoo server (``python3 scripts/load/odoo_server.py <odoo options>``).

The load test's prefork servers start through this file rather than
``python3 -m odoo``: a prefork server spawns its gevent (websocket) process as
``sys.executable sys.argv[0] gevent ...``, which fails when ``sys.argv[0]`` is
Odoo's ``__main__.py`` (a relative import outside its package) and is then
retried in a loop, burning the CPU the measurement is about.
"""

from odoo.cli.command import main

if __name__ == "__main__":
    main()
