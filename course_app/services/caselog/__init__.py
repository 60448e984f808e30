"""Case-log services (issue 5): cases, imports, reports, encryption, audit, synthetic data.

Kept free of imports on purpose: the model types load `crypto` from here while the models are
being defined, so this package must not import the models itself.
"""
