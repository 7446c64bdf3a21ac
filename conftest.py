"""The shared test world (personas and a small city) for every test of the project."""

pytest_plugins = ["saima.testing"]
