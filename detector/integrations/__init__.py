"""Optional adapters that run the detector as a pre-ingest gate inside distributed engines.

Each adapter lives in its own module and imports its engine only there:
``detector.integrations.datatrove`` (``pip install 'detector[datatrove]'``) and
``detector.integrations.ray`` (``pip install 'detector[ray]'``).
"""
