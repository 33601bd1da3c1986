"""The services between the commands and the libraries: what a command asks for in one call.

A service takes `Settings` (and a key, when it needs one), applies the product's rules, and
returns a result; it prints nothing and never asks the user itself (a question comes in as a
callable from the command), so each command renders the same
result as text or `--json` side by side. `key_store` (the .env or the OS keyring behind one
interface), `client_setup` (every client's config and the shell block), `verification` (master
key and login-expiry policy), `renewal` (a key from the portal), `setup_flow` (the setup and
apply flows, reporting through `Progress` with `step_report`'s lines), `state_dir`. Services import the
base and the leaves, and each other; never a command.
"""
