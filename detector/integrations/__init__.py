"""Optional adapters that run the detector as a pre-ingest gate inside distributed engines.

Each adapter lives in its own module and imports its engine only there:
``detector.integrations.datatrove`` (``pip install 'detector[datatrove]'``),
``detector.integrations.ray`` (``pip install 'detector[ray]'``) and ``detector.integrations.hf`` for Hugging
Face ``datasets`` (``pip install 'detector[datasets]'``).
"""
