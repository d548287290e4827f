"""hshpipe: TRPM6 variant interpretation for hypomagnesemia with secondary hypocalcemia (HSH)."""

__version__ = "0.1.0"
