"""The one exception type users see: a single-line message naming the file, the line and what to do."""


class InputError(Exception):
    """Bad input (config, sample sheet, reference, VCF, curated table). The message is shown as is."""
