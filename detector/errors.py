"""One exception family for everything the library raises on purpose."""


class DetectorError(Exception):
    """Base class: the message says what was wrong, what was expected and what to do."""


class InputError(DetectorError):
    """The input text (or record) cannot be scored as given."""


class ModelError(DetectorError):
    """A model artifact is missing, tampered with or does not match this version."""


class FeatureError(DetectorError):
    """A feature name is unknown or registered twice."""


class OutputError(DetectorError):
    """An output file cannot be written."""
