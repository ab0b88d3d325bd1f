"""Test helpers: real databases, real servers on free ports, forged tokens."""
