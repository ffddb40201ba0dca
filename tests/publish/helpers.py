"""Helpers of the publish tests."""

import yaml


def card_header(readme: str) -> dict:
    """The YAML metadata block of a dataset card."""
    return yaml.safe_load(readme.split("---")[1])
