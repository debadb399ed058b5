"""errors: the exception an input that cannot be read raises, shared by ``load`` and ``webpage``."""


class LoadError(Exception):
    """An input that cannot be read as a notice; the message says why."""
