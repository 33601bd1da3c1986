"""litellm-key: get a LiteLLM client key into a Dev Container and keep every client working with it."""

__version__ = "0.1.0"
